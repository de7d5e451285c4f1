package com.example.usersinfo.users;

import com.example.usersinfo.config.PasswordHashingConfiguration;
import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * Argon2id password hashing (Password4j). Hashes are PHC strings that carry their own cost parameters.
 * Verification costs the same whether or not the user has a password, so timing reveals nothing.
 */
@Singleton
public final class PasswordHasher {

    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;

    private final Argon2Function argon2;
    /** Hash of a random secret, verified against when there is no real hash, to spend the same time. */
    private final String decoyHash;

    PasswordHasher(PasswordHashingConfiguration cost) {
        this.argon2 = Argon2Function.getInstance(
                cost.memoryKib(), cost.iterations(), cost.parallelism(), HASH_BYTES, Argon2.ID);
        this.decoyHash = hash(java.util.UUID.randomUUID().toString());
    }

    public String hash(String password) {
        return Password.hash(password).addRandomSalt(SALT_BYTES).with(argon2).getResult();
    }

    /** True only if {@code storedHash} is present and {@code password} matches it. */
    public boolean verify(String password, Optional<String> storedHash) {
        String hash = storedHash.orElse(decoyHash);
        boolean matches = Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash));
        return storedHash.isPresent() && matches;
    }
}
