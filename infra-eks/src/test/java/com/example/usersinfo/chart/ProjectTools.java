package com.example.usersinfo.chart;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The command-line tools `make prereqs` installs into the project's cache (scripts/tools.sh). */
final class ProjectTools {

  private ProjectTools() {}

  /** A tool's path; fails, naming the command that installs it, when it is not there. */
  static Path tool(String name) {
    String cache = System.getenv("USERS_INFO_CACHE");
    Path dir = cache != null ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache", "users-info");
    Path tool = dir.resolve("bin").resolve(name);
    if (!Files.isExecutable(tool)) {
      fail("%s is not at %s: run `make prereqs`", name, tool);
    }
    return tool;
  }

  record Result(int exitCode, String output) {}

  /** Runs COMMAND in DIR with stdout and stderr joined; fails when it outlives two minutes. */
  static Result run(Path dir, List<String> command) {
    try {
      Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        fail("%s did not finish within 2 minutes", command);
      }
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }
}
