package com.example.usersinfo.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.example.usersinfo.Api.Reply;
import com.example.usersinfo.RunningService;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.web.router.Router;
import io.micronaut.web.router.UriRouteInfo;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The served OpenAPI document is the contract: every route of this service is in it (and nothing else), and
 * every request and response of a scenario covering each operation's success and error answers validates
 * against it — schemas, status codes, headers and media types.
 */
@MicronautTest
class OpenApiContractTest extends RunningService {

    private static final String DOCUMENT = "/openapi/users-info.yml";

    @Inject
    Router router;

    private String document;
    private OpenApiInteractionValidator validator;

    @BeforeAll
    void loadServedDocument() {
        Reply served = api.get(DOCUMENT);
        assertThat(served.status()).as("the document is served at " + DOCUMENT).isEqualTo(200);
        document = served.body();
        validator = OpenApiInteractionValidator.createForInlineApiSpecification(document).build();
    }

    @Test
    void everyRouteOfTheServiceIsDocumentedAndEveryDocumentedOperationExists() {
        Set<String> routes = router.uriRoutes()
                .filter(route -> route.getDeclaringType().getPackageName().startsWith("com.example.usersinfo"))
                // Micronaut answers HEAD for every GET, as HTTP requires; OpenAPI leaves that implicit.
                .filter(route -> !route.getHttpMethodName().equals("HEAD"))
                .map(OpenApiContractTest::operationKey)
                .collect(Collectors.toSet());
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) yaml().get("paths");
        Set<String> documented = paths.entrySet().stream()
                .filter(path -> path.getKey().equals("/") || path.getKey().startsWith("/users"))
                .flatMap(path -> path.getValue().keySet().stream()
                        .filter(method -> !method.equals("parameters"))
                        .map(method -> method.toUpperCase() + " " + path.getKey()))
                .collect(Collectors.toSet());

        assertThat(routes).containsExactlyInAnyOrderElementsOf(documented);
    }

    @Test
    void everyExchangeOfAFullScenarioMatchesTheDocument() {
        List<Reply> exchanges = new ArrayList<>();
        String email = UUID.randomUUID() + "@example.com";
        Reply created = api.post("/users", "{\"email\":\"" + email + "\",\"name\":\"Ada\",\"password\":\"long enough\"}");
        String user = "/users/" + created.map().get("id");
        exchanges.add(created);
        exchanges.add(api.get("/"));
        exchanges.add(api.get(user));
        exchanges.add(api.get("/users?limit=1"));
        exchanges.add(api.get("/users?cursor=bogus"));
        exchanges.add(api.get("/users/" + UUID.randomUUID()));
        exchanges.add(api.post("/users", "{\"email\":\"" + email + "\",\"name\":\"Twin\"}"));
        exchanges.add(api.post("/users", "{\"email\":\"nope\",\"name\":\"\"}"));
        exchanges.add(api.post("/users", "{\"email\":\"a@example.com\",\"name\":\"A\",\"role\":\"admin\"}"));
        exchanges.add(api.post("/users", "x".repeat(20_000)));
        exchanges.add(api.post("/users", "email=a", "Content-Type", "text/plain"));
        exchanges.add(api.put(user, "{\"email\":\"" + email + "\",\"name\":\"Ada B\"}"));
        exchanges.add(api.put(user, "{\"email\":\"" + email + "\",\"name\":\"Ada B\"}", "If-Match", "\"1\""));
        exchanges.add(api.put(user, "{\"email\":\"" + email + "\",\"name\":\"Ada C\"}", "If-Match", "\"1\""));
        exchanges.add(api.post(user + "/password/verify", "{\"password\":\"long enough\"}"));
        exchanges.add(api.post(user + "/password/verify", "{\"password\":\"wrong guess\"}"));
        exchanges.add(api.delete(user, "If-Match", "\"1\""));
        exchanges.add(api.delete(user));
        exchanges.add(api.get("/health/liveness"));
        exchanges.add(api.get("/health/readiness"));
        exchanges.add(api.get("/prometheus"));

        assertThat(exchanges).extracting(Reply::status)
                .contains(200, 201, 204, 400, 401, 404, 409, 412, 413, 415, 428);
        for (Reply exchange : exchanges) {
            String exchangeName = exchange.response().request().method() + " " + exchange.response().request().uri()
                    + " -> " + exchange;
            Request request = request(exchange);
            assertThat(validator.validateResponse(request.getPath(), request.getMethod(), response(exchange))
                    .getMessages()).as("response of %s", exchangeName).isEmpty();
            if (exchange.status() < 300) {
                // What the service accepts, the document must accept too (the reverse holds for schema errors,
                // but not for semantic ones such as an unknown cursor).
                assertThat(validator.validateRequest(request).getMessages()).as("request of %s", exchangeName)
                        .isEmpty();
            }
        }
    }

    private static String operationKey(UriRouteInfo<?, ?> route) {
        return route.getHttpMethodName() + " " + route.getUriMatchTemplate().toPathString();
    }

    private Map<String, Object> yaml() {
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = new org.yaml.snakeyaml.Yaml().loadAs(document, Map.class);
        return parsed;
    }

    private static Request request(Reply exchange) {
        java.net.http.HttpRequest sent = exchange.response().request();
        URI uri = sent.uri();
        SimpleRequest.Builder request = new SimpleRequest.Builder(Request.Method.valueOf(sent.method()), uri.getPath());
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                String[] nameValue = pair.split("=", 2);
                request.withQueryParam(nameValue[0], nameValue.length > 1 ? nameValue[1] : "");
            }
        }
        sent.headers().map().forEach(request::withHeader);
        if (exchange.requestBody() != null) {
            request.withBody(exchange.requestBody());
        }
        return request.build();
    }

    private static com.atlassian.oai.validator.model.Response response(Reply exchange) {
        SimpleResponse.Builder response = SimpleResponse.Builder.status(exchange.status());
        exchange.response().headers().map().forEach(response::withHeader);
        if (!exchange.body().isEmpty()) {
            response.withBody(exchange.body());
        }
        return response.build();
    }
}
