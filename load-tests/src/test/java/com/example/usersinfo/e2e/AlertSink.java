package com.example.usersinfo.e2e;

import static org.assertj.core.api.Assertions.fail;

import com.example.usersinfo.environment.cluster.KindCluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The webhook receiver of the kind cluster's Alertmanager (infra-eks/addons/prometheus/values-kind.yaml posts
 * to http://alert-sink.users-info-e2e.svc:8080/pager and /chat): an HTTP server in the test's own JVM,
 * reached from the cluster through a Service without selector whose EndpointSlice points at this host's
 * address on kind's Docker network. No image, no pod (namespace users-info-e2e stays under restricted Pod
 * Security with nothing to admit), and every notification is in the test's memory the moment it arrives,
 * with its arrival time. The server listens on that one address only, not on every interface of the host.
 */
final class AlertSink implements AutoCloseable {

    static final String NAMESPACE = "users-info-e2e";
    static final String SERVICE = "alert-sink";
    static final int SERVICE_PORT = 8080;
    /** The receivers of values-kind.yaml, by the path their webhook posts to. */
    static final List<String> RECEIVERS = List.of("pager", "chat");
    private static final String MANAGED_BY = "users-info-e2e.example.com";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient kubernetes;
    private final HttpServer server;
    private final boolean createdNamespace;
    private final List<Notification> received = new CopyOnWriteArrayList<>();
    private final List<String> rejected = new CopyOnWriteArrayList<>();

    /** One alert of one webhook call, as the receiver at {@code receiver} got it at {@code arrivedAt}. */
    record Notification(String receiver, Instant arrivedAt, String groupKey, Alert alert) {

        String alertname() {
            return alert.labels().getOrDefault("alertname", "");
        }

        boolean firing() {
            return alert.status().equals("firing");
        }

        boolean resolved() {
            return alert.status().equals("resolved");
        }

        @Override
        public String toString() {
            return "%s %s %s %s %s (starts %s, ends %s)".formatted(arrivedAt, receiver, alert.status(), alertname(),
                    alert.labels(), alert.startsAt(), alert.endsAt());
        }
    }

    /** One alert of a webhook body; endsAt is Go's zero time (year 1) while it fires. */
    record Alert(String status, Map<String, String> labels, Map<String, String> annotations, Instant startsAt,
                 Instant endsAt, String fingerprint) {
    }

    /**
     * Alertmanager's webhook body (format version 4), read field by field so that a body without a field this
     * test relies on is rejected (answered 400, listed by {@link #rejected()}) instead of read as empty.
     * Jackson's tree model, not annotated records: annotations would wake Micronaut's annotation processor,
     * which Maven's compiler plugin finds on this module's processor path.
     */
    static List<Notification> parse(String receiver, Instant arrivedAt, byte[] body) throws IOException {
        JsonNode message = JSON.readTree(body);
        String version = text(message, "version");
        if (!version.equals("4")) {
            throw new IOException("webhook format version " + version + ", not 4");
        }
        String groupKey = text(message, "groupKey");
        List<Notification> notifications = new ArrayList<>();
        for (JsonNode alert : required(message, "alerts")) {
            notifications.add(new Notification(receiver, arrivedAt, groupKey, new Alert(text(alert, "status"),
                    strings(required(alert, "labels")), strings(required(alert, "annotations")),
                    Instant.parse(text(alert, "startsAt")), Instant.parse(text(alert, "endsAt")), text(alert, "fingerprint"))));
        }
        return notifications;
    }

    private static JsonNode required(JsonNode node, String field) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IOException("no field " + field + " in " + node);
        }
        return value;
    }

    private static String text(JsonNode node, String field) throws IOException {
        JsonNode value = required(node, field);
        if (!value.isTextual()) {
            throw new IOException("field " + field + " is not a string in " + node);
        }
        return value.asText();
    }

    private static Map<String, String> strings(JsonNode object) throws IOException {
        Map<String, String> map = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : object.properties()) {
            map.put(entry.getKey(), text(object, entry.getKey()));
        }
        return Collections.unmodifiableMap(map);
    }

    private AlertSink(KubernetesClient kubernetes, HttpServer server, boolean createdNamespace) {
        this.kubernetes = kubernetes;
        this.server = server;
        this.createdNamespace = createdNamespace;
    }

    /**
     * Starts the server on this host's address on kind's network (which the node, and through it every pod,
     * routes to) and points Service alert-sink at it; verified from the node through the Service's cluster IP,
     * the way Alertmanager's packets go.
     */
    static AlertSink start(KubernetesClient kubernetes) throws IOException {
        InetAddress hostAddress = KindNetwork.hostAddress();
        HttpServer server = HttpServer.create(new InetSocketAddress(hostAddress, 0), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "alert-sink");
            thread.setDaemon(true);
            return thread;
        }));
        boolean createdNamespace = kubernetes.namespaces().withName(NAMESPACE).get() == null;
        AlertSink sink = new AlertSink(kubernetes, server, createdNamespace);
        server.createContext("/", sink::handle);
        server.start();
        try {
            sink.publish(hostAddress.getHostAddress(), server.getAddress().getPort());
        } catch (RuntimeException e) {
            sink.close();
            throw e;
        }
        return sink;
    }

    private void publish(String address, int port) {
        if (createdNamespace) {
            kubernetes.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                    .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                    .addToLabels("pod-security.kubernetes.io/warn", "restricted")
                    .addToLabels("app.kubernetes.io/managed-by", MANAGED_BY)
                    .endMetadata().build()).create();
        }
        kubernetes.services().inNamespace(NAMESPACE).resource(new ServiceBuilder()
                .withNewMetadata().withName(SERVICE).addToLabels("app.kubernetes.io/managed-by", MANAGED_BY).endMetadata()
                .withNewSpec().addNewPort().withName("http").withProtocol("TCP").withPort(SERVICE_PORT).endPort().endSpec()
                .build()).serverSideApply();
        // A slice not managed by the EndpointSlice controller (which only manages Services with a selector).
        kubernetes.discovery().v1().endpointSlices().inNamespace(NAMESPACE).resource(new EndpointSliceBuilder()
                .withNewMetadata().withName(SERVICE)
                .addToLabels("kubernetes.io/service-name", SERVICE)
                .addToLabels("endpointslice.kubernetes.io/managed-by", MANAGED_BY)
                .endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses(address).withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewPort().withName("http").withProtocol("TCP").withPort(port).endPort()
                .build()).serverSideApply();
        String clusterIp = kubernetes.services().inNamespace(NAMESPACE).withName(SERVICE).get().getSpec().getClusterIP();
        String url = "http://" + clusterIp + ":" + SERVICE_PORT + "/ready";
        // kube-proxy programs a new Service within seconds; until then the node's curl fails.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String answer;
        do {
            try {
                answer = KindCluster.run(List.of("docker", "exec", KindCluster.NODE, "curl", "-sS", "--max-time", "2", url),
                        Duration.ofSeconds(10));
            } catch (AssertionError e) {
                answer = e.getMessage();
            }
            if (answer.equals("alert-sink")) {
                return;
            }
            sleep(Duration.ofSeconds(1));
        } while (System.nanoTime() < deadline);
        fail("the cluster cannot reach the alert sink: on node %s, curl %s (Service %s/%s -> %s:%d) answered: %s; "
                + "is this host's address on kind's network right (docker network inspect %s)?",
                KindCluster.NODE, url, NAMESPACE, SERVICE, address, port, answer, KindNetwork.name());
    }

    private void handle(HttpExchange exchange) throws IOException {
        Instant arrived = Instant.now();
        String path = exchange.getRequestURI().getPath();
        String receiver = path.substring(1);
        int status;
        byte[] response = new byte[0];
        if (exchange.getRequestMethod().equals("GET") && path.equals("/ready")) {
            status = 200;
            response = "alert-sink".getBytes();
        } else if (exchange.getRequestMethod().equals("POST") && RECEIVERS.contains(receiver)) {
            try (InputStream body = exchange.getRequestBody()) {
                byte[] bytes = body.readAllBytes();
                try {
                    received.addAll(parse(receiver, arrived, bytes));
                    status = 200;
                } catch (IOException | RuntimeException e) {
                    rejected.add(path + ": " + e.getMessage() + "\n" + new String(bytes));
                    status = 400;
                }
            }
        } else {
            rejected.add(exchange.getRequestMethod() + " " + path);
            status = 404;
        }
        exchange.sendResponseHeaders(status, response.length == 0 ? -1 : response.length);
        if (response.length > 0) {
            exchange.getResponseBody().write(response);
        }
        exchange.close();
    }

    /** Every alert received so far, in arrival order. */
    List<Notification> notifications() {
        return List.copyOf(received);
    }

    List<Notification> notifications(Predicate<Notification> matching) {
        return received.stream().filter(matching).toList();
    }

    /** Requests the sink could not take (unknown path, body that is not Alertmanager's webhook format). */
    List<String> rejected() {
        return List.copyOf(rejected);
    }

    @Override
    public void close() {
        server.stop(0);
        List<RuntimeException> failures = new ArrayList<>();
        for (Runnable delete : List.<Runnable>of(
                () -> kubernetes.discovery().v1().endpointSlices().inNamespace(NAMESPACE).withName(SERVICE).delete(),
                () -> kubernetes.services().inNamespace(NAMESPACE).withName(SERVICE).delete(),
                () -> {
                    if (createdNamespace) {
                        kubernetes.namespaces().withName(NAMESPACE).withTimeout(1, TimeUnit.MINUTES).delete();
                    }
                })) {
            try {
                delete.run();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("could not remove the alert sink's objects in " + NAMESPACE + ": " + failures);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
