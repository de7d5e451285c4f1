package com.example.usersinfo.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.usersinfo.Api.Reply;
import com.example.usersinfo.RunningService;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@MicronautTest
class UsersApiTest extends RunningService {

    private static String uniqueEmail() {
        return "user-" + UUID.randomUUID() + "@example.com";
    }

    private static String userJson(String email, String name) {
        return "{\"email\":\"" + email + "\",\"name\":\"" + name + "\"}";
    }

    private static String userJson(String email, String name, String password) {
        return "{\"email\":\"" + email + "\",\"name\":\"" + name + "\",\"password\":\"" + password + "\"}";
    }

    private Reply create(String email) {
        Reply created = api.post("/users", userJson(email, "Ada Lovelace"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created;
    }

    private static void assertProblem(Reply reply, int status, String field) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.header("Content-Type")).startsWith("application/problem+json");
        assertThat(reply.body()).doesNotContain("Exception").doesNotContain("\tat ");
        Map<String, Object> problem = reply.map();
        assertThat(problem).containsEntry("status", status).containsKey("title");
        if (field != null) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> errors = (List<Map<String, Object>>) problem.get("errors");
            assertThat(errors).as(reply.toString()).isNotNull()
                    .anySatisfy(error -> assertThat(error).containsEntry("field", field).containsKey("message"));
        }
    }

    @Nested
    class Crud {

        @Test
        void createThenGetRoundTrips() {
            String email = uniqueEmail();
            Reply created = api.post("/users", userJson(email.toUpperCase(), "  Ada Lovelace "));

            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = (String) created.map().get("id");
            assertThat(created.header("Location")).isEqualTo("/users/" + id);
            assertThat(created.header("ETag")).isEqualTo("\"1\"");
            assertThat(created.map())
                    .containsEntry("email", email)
                    .containsEntry("name", "Ada Lovelace")
                    .containsEntry("version", 1)
                    .containsEntry("hasPassword", false)
                    .containsKeys("createdAt", "updatedAt");

            Reply fetched = api.get("/users/" + id);
            assertThat(fetched.status()).isEqualTo(200);
            assertThat(fetched.header("ETag")).isEqualTo("\"1\"");
            assertThat(fetched.map()).isEqualTo(created.map());
        }

        @Test
        void unknownUserIs404() {
            assertProblem(api.get("/users/" + UUID.randomUUID()), 404, null);
        }

        @Test
        void updateWithCurrentEtagBumpsVersion() {
            String id = (String) create(uniqueEmail()).map().get("id");
            String newEmail = uniqueEmail();

            Reply updated = api.put("/users/" + id, userJson(newEmail, "Ada King"), "If-Match", "\"1\"");

            assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
            assertThat(updated.header("ETag")).isEqualTo("\"2\"");
            assertThat(updated.map()).containsEntry("email", newEmail).containsEntry("version", 2);
            assertThat(api.get("/users/" + id).map()).containsEntry("name", "Ada King");
        }

        @Test
        void staleIfMatchIs412AndOverwritesNothing() {
            String id = (String) create(uniqueEmail()).map().get("id");
            assertThat(api.put("/users/" + id, userJson(uniqueEmail(), "First"), "If-Match", "\"1\"").status())
                    .isEqualTo(200);

            Reply stale = api.put("/users/" + id, userJson(uniqueEmail(), "Second"), "If-Match", "\"1\"");

            assertProblem(stale, 412, null);
            assertThat(stale.header("ETag")).isEqualTo("\"2\"");
            assertThat(api.get("/users/" + id).map()).containsEntry("name", "First").containsEntry("version", 2);
        }

        @Test
        void missingIfMatchIs428() {
            String id = (String) create(uniqueEmail()).map().get("id");
            assertProblem(api.put("/users/" + id, userJson(uniqueEmail(), "X")), 428, "If-Match");
            assertThat(api.get("/users/" + id).map()).containsEntry("version", 1);
        }

        @Test
        void malformedIfMatchIs400() {
            String id = (String) create(uniqueEmail()).map().get("id");
            assertProblem(api.put("/users/" + id, userJson(uniqueEmail(), "X"), "If-Match", "1"), 400, "If-Match");
        }

        @Test
        void updateOfUnknownUserIs404() {
            assertProblem(api.put("/users/" + UUID.randomUUID(), userJson(uniqueEmail(), "X"), "If-Match", "\"1\""),
                    404, null);
        }

        @Test
        void deleteRemovesUserAndFreesEmail() {
            String email = uniqueEmail();
            String id = (String) create(email).map().get("id");

            Reply deleted = api.delete("/users/" + id);

            assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
            assertProblem(api.get("/users/" + id), 404, null);
            create(email);
        }

        @Test
        void deleteWithStaleIfMatchIs412() {
            String id = (String) create(uniqueEmail()).map().get("id");
            api.put("/users/" + id, userJson(uniqueEmail(), "B"), "If-Match", "\"1\"");

            assertProblem(api.delete("/users/" + id, "If-Match", "\"1\""), 412, null);
            assertThat(api.get("/users/" + id).status()).isEqualTo(200);
        }
    }

    @Nested
    class UniqueEmail {

        @Test
        void duplicateEmailIs409RegardlessOfCase() {
            String email = uniqueEmail();
            create(email);
            assertProblem(api.post("/users", userJson(email.toUpperCase(), "Other")), 409, null);
        }

        @Test
        void concurrentCreatesWithOneEmailGiveExactlyOneUser() throws Exception {
            String email = uniqueEmail();
            int clients = 16;
            CountDownLatch start = new CountDownLatch(1);
            List<Callable<Integer>> attempts = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String name = "Client " + i;
                attempts.add(() -> {
                    start.await();
                    return api.post("/users", userJson(email, name)).status();
                });
            }
            List<Integer> statuses = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
                List<Future<Integer>> futures = attempts.stream().map(pool::submit).toList();
                start.countDown();
                for (Future<Integer> future : futures) {
                    statuses.add(future.get());
                }
            }

            assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 409).hasSize(clients - 1);
            assertThat(allUsers()).filteredOn(user -> email.equals(user.get("email"))).hasSize(1);
        }

        @Test
        void updateToAnotherUsersEmailIs409AndOldEmailIsFreedOnChange() {
            String taken = uniqueEmail();
            create(taken);
            String original = uniqueEmail();
            String id = (String) create(original).map().get("id");

            assertProblem(api.put("/users/" + id, userJson(taken, "X"), "If-Match", "\"1\""), 409, null);
            assertThat(api.get("/users/" + id).map()).containsEntry("email", original).containsEntry("version", 1);

            assertThat(api.put("/users/" + id, userJson(uniqueEmail(), "X"), "If-Match", "\"1\"").status())
                    .isEqualTo(200);
            create(original);
        }
    }

    private List<Map<String, Object>> allUsers() {
        List<Map<String, Object>> users = new ArrayList<>();
        String cursor = null;
        do {
            Reply page = api.get("/users?limit=7" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> items = (List<Map<String, Object>>) page.map().get("items");
            assertThat(items).hasSizeLessThanOrEqualTo(7);
            users.addAll(items);
            cursor = (String) page.map().get("nextCursor");
        } while (cursor != null);
        return users;
    }

    @Nested
    class Listing {

        @Test
        void pagesVisitEveryUserOnce() {
            Set<String> created = new HashSet<>();
            for (int i = 0; i < 23; i++) {
                created.add((String) create(uniqueEmail()).map().get("id"));
            }

            List<String> listed = allUsers().stream().map(user -> (String) user.get("id")).toList();

            assertThat(listed).doesNotHaveDuplicates().containsAll(created);
        }

        @Test
        void fullPagesHaveExactlyLimitItems() {
            for (int i = 0; i < 5; i++) {
                create(uniqueEmail());
            }
            Reply page = api.get("/users?limit=3");
            assertThat((List<?>) page.map().get("items")).hasSize(3);
            assertThat(page.map().get("nextCursor")).isNotNull();
        }

        @Test
        void badLimitsAndCursorsAre400NamingTheParameter() {
            assertProblem(api.get("/users?limit=0"), 400, "limit");
            assertProblem(api.get("/users?limit=101"), 400, "limit");
            assertProblem(api.get("/users?limit=ten"), 400, "limit");
            assertProblem(api.get("/users?cursor=not-a-cursor"), 400, "cursor");
            assertProblem(api.get("/users?cursor=djE6Li4v"), 400, "cursor");
        }
    }

    @Nested
    class Passwords {

        @Test
        void verifyAnswers204ForTheRightPasswordAnd401Otherwise() {
            Reply created = api.post("/users", userJson(uniqueEmail(), "Ada", "correct horse battery"));
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.map()).containsEntry("hasPassword", true).doesNotContainKeys("password", "passwordHash");
            assertThat(created.body()).doesNotContain("argon2").doesNotContain("correct horse");
            String id = (String) created.map().get("id");

            assertThat(api.post("/users/" + id + "/password/verify", "{\"password\":\"correct horse battery\"}")
                    .status()).isEqualTo(204);
            assertThat(api.post("/users/" + id + "/password/verify", "{\"password\":\"wrong horse battery\"}")
                    .status()).isEqualTo(401);
        }

        @Test
        void unknownUsersAndUsersWithoutPasswordGet401() {
            String id = (String) create(uniqueEmail()).map().get("id");
            assertThat(api.post("/users/" + id + "/password/verify", "{\"password\":\"anything at all\"}").status())
                    .isEqualTo(401);
            assertThat(api.post("/users/" + UUID.randomUUID() + "/password/verify", "{\"password\":\"anything\"}")
                    .status()).isEqualTo(401);
        }

        @Test
        void passwordCanBeChangedByUpdateAndIsKeptWhenAbsent() {
            String email = uniqueEmail();
            String id = (String) api.post("/users", userJson(email, "Ada", "first password")).map().get("id");

            api.put("/users/" + id, userJson(email, "Ada B"), "If-Match", "\"1\"");
            assertThat(api.post("/users/" + id + "/password/verify", "{\"password\":\"first password\"}").status())
                    .isEqualTo(204);

            api.put("/users/" + id, userJson(email, "Ada C", "second password"), "If-Match", "\"2\"");
            assertThat(api.post("/users/" + id + "/password/verify", "{\"password\":\"first password\"}").status())
                    .isEqualTo(401);
            assertThat(api.post("/users/" + id + "/password/verify", "{\"password\":\"second password\"}").status())
                    .isEqualTo(204);
        }
    }

    @Nested
    class BadInput {

        @Test
        void malformedJson() {
            assertProblem(api.post("/users", "{\"email\": "), 400, null);
        }

        @Test
        void unknownField() {
            assertProblem(api.post("/users", "{\"email\":\"" + uniqueEmail() + "\",\"name\":\"A\",\"admin\":true}"),
                    400, "admin");
        }

        @Test
        void invalidEmail() {
            assertProblem(api.post("/users", userJson("not-an-email", "A")), 400, "email");
        }

        @Test
        void missingAndBlankFields() {
            assertProblem(api.post("/users", "{\"name\":\"A\"}"), 400, "email");
            assertProblem(api.post("/users", userJson(uniqueEmail(), "   ")), 400, "name");
        }

        @Test
        void wrongTypes() {
            assertProblem(api.post("/users", "{\"email\":[\"a@example.com\"],\"name\":\"A\"}"), 400, "email");
            assertProblem(api.post("/users", "{\"email\":\"a@example.com\",\"name\":{\"first\":\"A\"}}"), 400, "name");
        }

        @Test
        void tooShortPassword() {
            assertProblem(api.post("/users", userJson(uniqueEmail(), "A", "short")), 400, "password");
        }

        @Test
        void oversizeBodyIs413() {
            String huge = "x".repeat(32 * 1024);
            assertProblem(api.post("/users", userJson(uniqueEmail(), huge)), 413, null);
        }

        @Test
        void unsupportedMediaTypeIs415() {
            assertProblem(api.post("/users", "email=a@example.com", "Content-Type", "text/plain"), 415, null);
        }

        @Test
        void emptyBody() {
            assertProblem(api.post("/users", ""), 400, null);
        }

        @Test
        void malformedIdIs400() {
            assertProblem(api.get("/users/not-a-uuid"), 400, "id");
        }

        @Test
        void unknownPathIs404Problem() {
            assertProblem(api.get("/nothing-here"), 404, null);
        }

        @Test
        void wrongMethodIs405Problem() {
            assertProblem(api.send("PATCH", "/users", "{}", "Content-Type", "application/json"), 405, null);
        }
    }
}
