package com.example.usersinfo.e2e;

import static org.assertj.core.api.Assertions.fail;

import com.example.usersinfo.environment.cluster.KindCluster;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerNetwork;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.testcontainers.DockerClientFactory;

/**
 * The Docker network of the kind node ({@code kind} unless KIND_EXPERIMENTAL_DOCKER_NETWORK named another), as
 * Docker Engine reports it for the node's container.
 */
final class KindNetwork {

    private KindNetwork() {
    }

    static String name() {
        return network().getKey();
    }

    /**
     * This host's address on that network (its gateway): where the node, and through the node's routing every
     * pod, reaches a server of the test's JVM.
     */
    static InetAddress hostAddress() {
        Map.Entry<String, ContainerNetwork> network = network();
        String gateway = network.getValue().getGateway();
        if (gateway == null || gateway.isBlank()) {
            fail("Docker network %s of the kind node has no IPv4 gateway: run `make cluster`", network.getKey());
        }
        try {
            return InetAddress.getByName(gateway);
        } catch (UnknownHostException e) {
            throw new AssertionError("gateway " + gateway + " of Docker network " + network.getKey() + " is no address", e);
        }
    }

    private static Map.Entry<String, ContainerNetwork> network() {
        Map<String, ContainerNetwork> networks;
        try {
            networks = DockerClientFactory.instance().client().inspectContainerCmd(KindCluster.NODE).exec()
                    .getNetworkSettings().getNetworks();
        } catch (NotFoundException e) {
            throw new AssertionError("no kind node container " + KindCluster.NODE + " in Docker Engine: run `make cluster`", e);
        }
        if (networks.size() != 1) {
            fail("the kind node %s should be on one Docker network, it is on %s: run `make cluster`", KindCluster.NODE,
                    networks.keySet());
        }
        return networks.entrySet().iterator().next();
    }
}
