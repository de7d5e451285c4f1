package com.example.usersinfo.users;

import com.example.usersinfo.config.PasswordHashingConfiguration;
import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Argon2id password hashing (Password4j). Hashes are PHC strings that carry their own cost parameters.
 * Verification costs the same whether or not the user has a password, so timing reveals nothing.
 *
 * <p>Hashes run on a pool of one platform thread per available processor, not on the request's virtual
 * thread. Each hash holds {@code memory-kib} (19 MiB by default) for tens of milliseconds of CPU: unbounded, 32
 * concurrent verifications asked for 600 MiB in a 384 MiB heap (peak RSS 569 MB in the 512 MiB task), and
 * on the virtual threads' carriers they starved every other request, so DynamoDB reads timed out and answered
 * 503 (measured with make bench). The pool bounds the memory to one hash per core and lets the operating
 * system share the CPU between hashing and the rest of the service; waiting requests queue for it.
 */
@Singleton
public final class PasswordHasher {

    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;

    private final Argon2Function argon2;
    private final ExecutorService hashing = Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(),
            Thread.ofPlatform().name("password-hash-", 0).daemon(true).factory());
    /** Hash of a random secret, verified against when there is no real hash, to spend the same time. */
    private final String decoyHash;

    PasswordHasher(PasswordHashingConfiguration cost) {
        this.argon2 = Argon2Function.getInstance(
                cost.memoryKib(), cost.iterations(), cost.parallelism(), HASH_BYTES, Argon2.ID);
        this.decoyHash = hash(java.util.UUID.randomUUID().toString());
    }

    public String hash(String password) {
        return onHashingPool(() -> Password.hash(password).addRandomSalt(SALT_BYTES).with(argon2).getResult());
    }

    /** True only if {@code storedHash} is present and {@code password} matches it. */
    public boolean verify(String password, Optional<String> storedHash) {
        String hash = storedHash.orElse(decoyHash);
        boolean matches = onHashingPool(
                () -> Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash)));
        return storedHash.isPresent() && matches;
    }

    /** Lets hashes already queued finish (graceful shutdown) and accepts no new ones. */
    @PreDestroy
    void close() {
        hashing.shutdown();
    }

    private <T> T onHashingPool(Callable<T> work) {
        Future<T> result = hashing.submit(work);
        try {
            return result.get();
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a password hash", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("password hashing failed", e.getCause());
        }
    }
}
