package com.example.usersinfo.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The README's values table names every value a user can set. */
class ReadmeTest {

  @Test
  void valuesTableCoversEveryValue() throws IOException {
    Map<String, Object> values = new Yaml().load(Files.readString(Chart.DIR.resolve("values.yaml")));
    String readme = Files.readString(Chart.DIR.resolve("README.md"));

    List<String> missing = new ArrayList<>();
    values.forEach((key, value) -> collectMissing(key, value, readme, missing));

    assertThat(missing).as("values without a row in README.md's table").isEmpty();
  }

  /**
   * KEY is covered by its own row (objects the table describes as a whole: config, security contexts,
   * resources…) or, for an object, by rows for each of its keys.
   */
  private static void collectMissing(String key, Object value, String readme, List<String> missing) {
    if (readme.contains("| `" + key + "` |")) {
      return;
    }
    if (value instanceof Map<?, ?> map && !map.isEmpty()) {
      map.forEach((child, childValue) -> collectMissing(key + "." + child, childValue, readme, missing));
    } else {
      missing.add(key);
    }
  }
}
