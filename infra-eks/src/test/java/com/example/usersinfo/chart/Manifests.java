package com.example.usersinfo.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Optional;

/** The objects of one rendering, looked up by type. */
record Manifests(List<HasMetadata> all) {

  /** The only object of TYPE; fails when there is none or more than one. */
  <T extends HasMetadata> T one(Class<T> type) {
    List<T> found = all.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as("objects of kind %s", type.getSimpleName()).hasSize(1);
    return found.getFirst();
  }

  /** The object of TYPE named NAME; fails when there is none. */
  <T extends HasMetadata> T named(Class<T> type, String name) {
    return all.stream().filter(type::isInstance).map(type::cast)
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type) {
    return all.stream().filter(type::isInstance).map(type::cast).findFirst();
  }
}
