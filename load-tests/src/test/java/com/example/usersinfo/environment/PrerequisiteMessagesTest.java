package com.example.usersinfo.environment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a machine without the things the scripts cannot install gets told: the component's name and the
 * command that fixes it. Each case runs the real script in an environment where that component is
 * genuinely absent (a bare PATH, an empty HOME and cache, and for the JDK a mount namespace in which
 * /usr/lib/jvm is empty), so the message checked is the one a fresh machine prints.
 */
class PrerequisiteMessagesTest {

  private static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
  /** Debian's default PATH without /usr/local: no Go, no project tools, only the system's java 17 and python 3.11. */
  private static final String BARE_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";

  @TempDir Path home;

  @Test
  void withoutJdk25TheBuildSaysWhichJdkToInstall() throws Exception {
    // The namespace hides every JDK under /usr/lib/jvm (also the one running this test) from the script only.
    var result = run(List.of("unshare", "--mount", "--map-root-user", "--", "bash", "-c",
        "mount -t tmpfs tmpfs /usr/lib/jvm && exec bash \"$0\"", script("jdk.sh")));

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr())
        .contains("no JDK 25 found")
        .contains("apt-get install temurin-25-jdk")
        .contains("set JAVA_HOME");
  }

  @Test
  void withoutPython312TheEmulatorsSayWhichPythonToInstall() throws Exception {
    var result = run(List.of("bash", script("python.sh")));

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr())
        .contains("no Python >= 3.12 found (LocalStack needs one")
        .contains("pyenv install 3.13")
        .contains("USERS_INFO_PYTHON=");
  }

  @Test
  void withoutGoAPinnedToolThatMustBeBuiltNamesGo() throws Exception {
    // An empty cache: kubeconform has to be built, and Go is not on the bare PATH.
    var result = run(List.of("bash", script("tools.sh"), "kubeconform"));

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr())
        .contains("kubeconform: not installed, pinned v")
        .contains("go is not installed")
        .contains("https://go.dev/dl");
  }

  private String script(String name) {
    return ROOT.resolve("scripts").resolve(name).toString();
  }

  private Result run(List<String> command) throws IOException, InterruptedException {
    var builder = new ProcessBuilder(new ArrayList<>(command)).directory(ROOT.toFile());
    Map<String, String> env = builder.environment();
    env.clear();
    env.put("PATH", BARE_PATH);
    env.put("HOME", home.toString());
    env.put("USERS_INFO_CACHE", home.resolve("cache").toString());
    Path stderr = home.resolve("stderr.txt");
    builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(stderr.toFile());
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not finish within 60 s");
    }
    return new Result(process.exitValue(), Files.readString(stderr, StandardCharsets.UTF_8));
  }

  private record Result(int exitCode, String stderr) {}
}
