package com.example.usersinfo.e2e;

import static org.assertj.core.api.Assertions.fail;

import com.example.usersinfo.environment.cluster.KindCluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerNetwork;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.DockerClientFactory;

/**
 * DynamoDB made unreachable for the cluster's pods, and only for them: an nftables table in the kind node that
 * drops every packet forwarded from a pod to DynamoDB Local's addresses on kind's network (the container and port
 * of .local/endpoints.json, which scripts/emulators.sh writes), as a partition between a cluster and its
 * database would. The service sees what it would see in AWS: attempts time out, calls fail after their retries.
 * DynamoDB Local keeps serving everything else (tests on the host reach it on 127.0.0.1).
 *
 * <p>Measured alternatives: {@code docker network disconnect kind users-info-dynamodb} works, but any
 * {@code scripts/emulators.sh up} (another checkout, make deploy_all) joins the container again within seconds;
 * a NetworkPolicy is accepted by the API and enforced by nothing here (the cluster's CNI is ptp + portmap,
 * without a policy controller). The table is the test's own: nothing else in the node writes or removes it.
 *
 * <p>Healing deletes the table; a run killed before healing leaves it, and the next run deletes it first
 * ({@link #healLeftover()}); by hand: {@code docker exec users-info-control-plane nft delete table inet
 * users_info_e2e_partition}.
 */
final class DynamoDbPartition implements AutoCloseable {

    static final String TABLE = "users_info_e2e_partition";
    private static final Path ENDPOINTS = KindDeployment.ROOT.resolve(".local/endpoints.json");
    private static final Pattern DROPPED = Pattern.compile("counter packets (\\d+)");
    private static final Duration NFT_TIMEOUT = Duration.ofSeconds(20);

    private final List<String> addresses;
    private final int port;
    private boolean healed;

    private DynamoDbPartition(List<String> addresses, int port) {
        this.addresses = addresses;
        this.port = port;
    }

    /** Cuts the pods off DynamoDB; {@link #close()} heals. */
    static DynamoDbPartition start() {
        JsonNode dynamodb;
        try {
            dynamodb = KindDeployment.JSON.readTree(ENDPOINTS.toFile()).path("emulators").path("dynamodb");
        } catch (IOException e) {
            throw new AssertionError("cannot read " + ENDPOINTS + " (" + e.getMessage() + "): run `make emulators`", e);
        }
        String container = dynamodb.path("container").asText();
        URI inCluster = URI.create(dynamodb.path("in_cluster_url").asText("http://invalid"));
        if (container.isEmpty() || inCluster.getPort() < 0 || !dynamodb.path("on_kind_network").asBoolean()) {
            fail("%s does not say how pods reach DynamoDB Local (emulators.dynamodb: %s): run `make emulators` "
                    + "after `make cluster`", ENDPOINTS, dynamodb);
        }
        List<String> addresses = addressesOnKindNetwork(container);
        DynamoDbPartition partition = new DynamoDbPartition(addresses, inCluster.getPort());
        Runtime.getRuntime().addShutdownHook(new Thread(partition::close, "heal-dynamodb-partition"));
        StringBuilder rules = new StringBuilder("add table inet " + TABLE + "; add chain inet " + TABLE
                + " forward { type filter hook forward priority -10; policy accept; }; ");
        for (String address : addresses) {
            rules.append("add rule inet ").append(TABLE).append(" forward ")
                    .append(address.contains(":") ? "ip6" : "ip").append(" daddr ").append(address)
                    .append(" tcp dport ").append(partition.port).append(" counter drop; ");
        }
        nft(rules.toString());
        return partition;
    }

    /** Deletes a partition a killed run left behind; true when there was one. */
    static boolean healLeftover() {
        if (!nft("list tables").contains(TABLE)) {
            return false;
        }
        nft("delete table inet " + TABLE);
        return true;
    }

    /** What was cut off, e.g. "192.168.160.3, fc00:…::3 port 8000". */
    String describe() {
        return String.join(", ", addresses) + " port " + port;
    }

    /** Packets dropped so far: proof that the service did try to reach DynamoDB through the partition. */
    long droppedPackets() {
        Matcher counters = DROPPED.matcher(nft("list table inet " + TABLE));
        long packets = 0;
        while (counters.find()) {
            packets += Long.parseLong(counters.group(1));
        }
        return packets;
    }

    /** Heals (idempotent). */
    @Override
    public synchronized void close() {
        if (!healed) {
            healLeftover();
            healed = true;
        }
    }

    private static List<String> addressesOnKindNetwork(String container) {
        Map<String, ContainerNetwork> networks;
        try {
            networks = DockerClientFactory.instance().client().inspectContainerCmd(container).exec()
                    .getNetworkSettings().getNetworks();
        } catch (NotFoundException e) {
            throw new AssertionError("no container " + container + " (DynamoDB Local): run `make emulators`", e);
        }
        ContainerNetwork kind = networks.get(KindNetwork.name());
        if (kind == null) {
            fail("%s is not on the kind network %s (it is on %s): run `make emulators` after `make cluster`", container,
                    KindNetwork.name(), networks.keySet());
        }
        List<String> addresses = new ArrayList<>(List.of(kind.getIpAddress()));
        if (kind.getGlobalIPv6Address() != null && !kind.getGlobalIPv6Address().isBlank()) {
            addresses.add(kind.getGlobalIPv6Address());
        }
        return List.copyOf(addresses);
    }

    private static String nft(String commands) {
        return KindCluster.run(List.of("docker", "exec", KindCluster.NODE, "nft", commands), NFT_TIMEOUT);
    }
}
