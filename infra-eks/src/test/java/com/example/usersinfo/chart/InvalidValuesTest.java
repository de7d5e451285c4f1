package com.example.usersinfo.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in ci/invalid/ is refused, with the message its first line announces (`# expect: …`): the
 * schema names the offending path, the templates' own checks name the values to change.
 */
class InvalidValuesTest {

  static Stream<Path> invalidValues() throws IOException {
    try (Stream<Path> files = Files.list(Chart.DIR.resolve("ci/invalid"))) {
      return files.sorted().toList().stream();
    }
  }

  @Test
  void thereAreInvalidExamples() throws IOException {
    assertThat(invalidValues()).hasSizeGreaterThanOrEqualTo(10);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidValues")
  void isRefusedWithTheExpectedMessage(Path values) throws IOException {
    String expected = Files.readAllLines(values).getFirst();
    assertThat(expected).as("first line of %s", values).startsWith("# expect: ");

    assertThatThrownBy(() -> Chart.render(values))
        .hasMessageContaining(expected.substring("# expect: ".length()));
  }
}
