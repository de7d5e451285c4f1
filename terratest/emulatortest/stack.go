package emulatortest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gruntwork-io/terratest/modules/files"
	"github.com/gruntwork-io/terratest/modules/logger"
	"github.com/gruntwork-io/terratest/modules/terraform"
	terratesting "github.com/gruntwork-io/terratest/modules/testing"
)

// Route sends one AWS service of a stack to another emulator than the stacks profile names, because the
// stacks emulator lacks an API the stack calls.
type Route struct {
	Emulator string // a key of the endpoints file's emulators: moto, localstack, dynamodb
	Why      string
}

// Routes maps Terraform provider endpoints keys (dynamodb, cloudwatch...) to their Route.
type Routes map[string]Route

// Gap is a resource type no emulator here can apply: the run leaves it out (terraform apply -target every
// other resource), its planned values stay checkable, and the test report names it. The list per module is
// config/terraform/emulator-gaps.json, which make deploy_all (ENV=local) reads too.
type Gap struct {
	ResourceType string `json:"resource_type"` // e.g. aws_appautoscaling_target
	Why          string `json:"why"`           // the missing API and in which emulators
	CoveredBy    string `json:"covered_by"`    // what checks it instead
}

// gapsOf reads module's gaps from config/terraform/emulator-gaps.json (none when the module is not listed).
func (e *Env) gapsOf(t *testing.T, module string) []Gap {
	t.Helper()
	path := filepath.Join(e.Root, "config", "terraform", "emulator-gaps.json")
	var all map[string]json.RawMessage
	data, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(data, &all)
	}
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	var gaps []Gap
	if raw, ok := all[module]; ok {
		if err := json.Unmarshal(raw, &gaps); err != nil {
			t.Fatalf("%s: the list of %s: %v", path, module, err)
		}
	}
	return gaps
}

// retryableErrors reads config/terraform/emulator-races.json, which make deploy_all (ENV=local) reads too:
// the errors an emulator answers when two calls of one run race, which the next terraform run gets past.
func (e *Env) retryableErrors(t *testing.T) map[string]string {
	t.Helper()
	path := filepath.Join(e.Root, "config", "terraform", "emulator-races.json")
	var races struct {
		RetryableErrors []struct {
			Pattern string `json:"pattern"`
			Why     string `json:"why"`
		} `json:"retryable_errors"`
	}
	data, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(data, &races)
	}
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	retryable := map[string]string{}
	for _, race := range races.RetryableErrors {
		retryable[race.Pattern] = race.Why
	}
	return retryable
}

// Stack is one copy of a Terraform module in a temporary directory with its own state, pointed at the
// emulators.
type Stack struct {
	env    *Env
	Module string // infra-shared, infra-ecs
	Dir    string
	Routes Routes
	Gaps   []Gap
	// Unchecked names attributes an emulator accepts but does not return (so the SDK cannot read them back)
	// and what checks them instead; the report lists them.
	Unchecked []string
	Options   *terraform.Options
	// Plan is the full plan of the last Apply, gap resources included.
	Plan      *terraform.PlanStruct
	skipped   []string
	started   time.Time
	destroyed bool
}

// How long one terraform command may take before the test gives up: an emulator missing an API makes the
// provider retry, so a gap not listed shows up as a timeout with the emulator logs, not as a hung build.
const commandTimeout = 10 * time.Minute

// NewStack copies module (a directory of the repository) to a temporary directory and writes its emulator
// override there with scripts/terraform.sh emulator (the same file developers use), changed by routes; the
// module's gaps (config/terraform/emulator-gaps.json) are left out of its applies. The
// provider retries each call at most twice: an API an emulator lacks fails the apply in seconds instead of
// after the provider's 25 retries.
func (e *Env) NewStack(t *testing.T, module string, routes Routes, vars map[string]any) *Stack {
	t.Helper()
	return e.newStack(t, module, routes, e.gapsOf(t, module), vars, false)
}

// NewChildStack is NewStack for a child module applied on its own (e.g. infra-ecs/modules/alarms): such a
// module declares no provider configuration, its callers' applies, so the emulator configuration is written
// as the copy's provider block instead of an override of one (Terraform rejects an override without a base).
func (e *Env) NewChildStack(t *testing.T, module string, routes Routes, vars map[string]any) *Stack {
	t.Helper()
	return e.newStack(t, module, routes, nil, vars, true)
}

func (e *Env) newStack(t *testing.T, module string, routes Routes, gaps []Gap, vars map[string]any, child bool) *Stack {
	t.Helper()
	// Terratest's copy leaves out .terraform, state files and tfvars. (files, not test_structure: the latter
	// brings Kubernetes' client and a dozen AWS services into the build, 686 packages against 400.)
	dir, err := files.CopyTerraformFolderToTemp(filepath.Join(e.Root, module), t.Name())
	if err != nil {
		t.Fatalf("copying %s: %v", module, err)
	}
	script := exec.Command(filepath.Join(e.Root, "scripts", "terraform.sh"), "emulator", dir)
	if output, err := script.CombinedOutput(); err != nil {
		t.Fatalf("scripts/terraform.sh emulator %s: %v\n%s", dir, err, output)
	}
	overridePath := filepath.Join(dir, "emulator_override.tf.json")
	var override struct {
		Comment  string `json:"//"`
		Provider struct {
			AWS map[string]any `json:"aws"`
		} `json:"provider"`
	}
	data, err := os.ReadFile(overridePath)
	if err == nil {
		err = json.Unmarshal(data, &override)
	}
	if err != nil {
		t.Fatalf("reading %s: %v", overridePath, err)
	}
	endpoints, ok := override.Provider.AWS["endpoints"].(map[string]any)
	if !ok {
		t.Fatalf("%s has no provider.aws.endpoints: scripts/terraform.sh emulator changed its output", overridePath)
	}
	for service, route := range routes {
		url, err := e.URL(routes, service)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %s goes to %s (%s): %s", module, service, route.Emulator, url, route.Why)
		endpoints[service] = url
	}
	override.Provider.AWS["max_retries"] = 2
	if child {
		if err := os.Remove(overridePath); err != nil {
			t.Fatal(err)
		}
		overridePath = filepath.Join(dir, "emulator_provider.tf.json")
	}
	if data, err = json.MarshalIndent(override, "", "  "); err == nil {
		err = os.WriteFile(overridePath, data, 0o644)
	}
	if err != nil {
		t.Fatalf("writing %s: %v", overridePath, err)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	s := &Stack{env: e, Module: module, Dir: dir, Routes: routes, Gaps: gaps, started: time.Now()}
	s.Options = &terraform.Options{
		// Terraform's output goes to a log file in the copy; a failure prints its end (see hint).
		Logger:                   logger.New(fileLogger{path: filepath.Join(dir, "terraform.log")}),
		TerraformDir:             dir,
		Vars:                     vars,
		NoColor:                  true,
		RetryableTerraformErrors: e.retryableErrors(t),
		MaxRetries:               2,
		TimeBetweenRetries:       2 * time.Second,
		EnvVars: map[string]string{
			// As scripts/terraform.sh: the project's CLI configuration (provider from the mirror only) and the
			// shared plugin cache, so init links the provider instead of copying 700 MB into each copy.
			"TF_CLI_CONFIG_FILE":  filepath.Join(e.Root, "config", "terraform", "terraformrc"),
			"TF_PLUGIN_CACHE_DIR": filepath.Join(home, ".cache", "users-info", "terraform", "plugins"),
			"TF_INPUT":            "0",
			"TF_IN_AUTOMATION":    "1",
		},
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s: kept %s (state and emulator override) for a look", module, dir)
			return
		}
		_ = os.RemoveAll(dir)
	})
	// Registered after the removal above, so it runs before it; t.Cleanup (not defer) runs even when a
	// subtest panics, so a failing test leaves nothing in the shared emulators.
	t.Cleanup(func() { s.Destroy(t) })
	return s
}

// Apply runs init and apply. With gaps, it first plans everything (kept in s.Plan, so tests can still check
// what Terraform would send for the gap resources) and then applies every other resource with -target.
func (s *Stack) Apply(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	began := time.Now()
	options := *s.Options
	options.PlanFilePath = filepath.Join(s.Dir, "test.tfplan")
	plan, err := terraform.InitAndPlanAndShowWithStructContextE(t, ctx, &options)
	if err != nil {
		t.Fatalf("%s: terraform plan against the emulators failed: %v\n%s", s.Module, err, s.hint())
	}
	s.Plan = plan
	s.skipped = nil
	options = *s.Options
	for _, change := range plan.RawPlan.ResourceChanges {
		if change.Mode != "managed" {
			continue
		}
		if slices.ContainsFunc(s.Gaps, func(g Gap) bool { return g.ResourceType == change.Type }) {
			s.skipped = append(s.skipped, change.Address)
			continue
		}
		options.Targets = append(options.Targets, change.Address)
	}
	if len(s.skipped) == 0 {
		options.Targets = nil
	}
	if _, err := terraform.ApplyContextE(t, ctx, &options); err != nil {
		t.Fatalf("%s: terraform apply against the emulators failed: %v\n%s", s.Module, err, s.hint())
	}
	t.Logf("%s: apply took %.1f s", s.Module, time.Since(began).Seconds())
}

// Output is one output of the stack's state as a string.
func (s *Stack) Output(t *testing.T, name string) string {
	t.Helper()
	return terraform.Output(t, s.Options, name)
}

// OutputList is one list output of the stack's state.
func (s *Stack) OutputList(t *testing.T, name string) []string {
	t.Helper()
	return terraform.OutputList(t, s.Options, name)
}

// Destroy destroys everything in the stack's state, once: NewStack registers it as a cleanup (so a failing
// test leaves nothing behind); call it where the test checks that nothing is left. A failure is
// reported but does not stop the other deferred destroys.
func (s *Stack) Destroy(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	began := time.Now()
	if s.destroyed {
		return
	}
	if _, err := os.Stat(filepath.Join(s.Dir, ".terraform")); err != nil {
		return // never initialised: nothing was created
	}
	options := *s.Options
	options.Targets = nil
	if _, err := terraform.DestroyContextE(t, ctx, &options); err != nil {
		t.Errorf("%s: terraform destroy against the emulators failed: %v\n%s", s.Module, err, s.hint())
		return
	}
	s.destroyed = true
	t.Logf("%s: destroy took %.1f s", s.Module, time.Since(began).Seconds())
}

// StatePath is where the stack's state is, for a stack that reads it (terraform_remote_state).
func (s *Stack) StatePath() string { return filepath.Join(s.Dir, "terraform.tfstate") }

// ReportGaps logs, and writes to MODULE/target/terratest/emulator-gaps.md, what this run could not apply
// against the emulators and where each service went: the named list the emulator run cannot check.
func (s *Stack) ReportGaps(t *testing.T) {
	t.Helper()
	var report strings.Builder
	fmt.Fprintf(&report, "# %s: what the emulator run does not check\n\n", s.Module)
	if len(s.Routes) > 0 {
		fmt.Fprintf(&report, "Services sent to another emulator than the stacks profile's:\n\n")
		for _, service := range sortedKeys(s.Routes) {
			fmt.Fprintf(&report, "- %s → %s: %s\n", service, s.Routes[service].Emulator, s.Routes[service].Why)
		}
		report.WriteString("\n")
	}
	if len(s.Gaps) == 0 {
		report.WriteString("Every resource of the plan was applied and read back.\n")
	} else {
		report.WriteString("Resources not applied (no emulator here has their API); their planned values are asserted instead:\n\n")
		for _, gap := range s.Gaps {
			var addresses []string
			for _, address := range s.skipped {
				if strings.HasPrefix(address, gap.ResourceType+".") {
					addresses = append(addresses, address)
				}
			}
			fmt.Fprintf(&report, "- %s (%s): %s. Covered by: %s.\n", gap.ResourceType, strings.Join(addresses, ", "), gap.Why, gap.CoveredBy)
		}
	}
	if len(s.Unchecked) > 0 {
		report.WriteString("\nAttributes the emulator accepts but does not return:\n\n")
		for _, line := range s.Unchecked {
			fmt.Fprintf(&report, "- %s\n", line)
		}
	}
	t.Log("\n" + report.String())
	dir := filepath.Join(s.env.Root, s.Module, "target", "terratest")
	if err := os.MkdirAll(dir, 0o755); err == nil {
		err = os.WriteFile(filepath.Join(dir, "emulator-gaps.md"), []byte(report.String()), 0o644)
		if err != nil {
			t.Errorf("writing the gap report: %v", err)
		}
	}
}

// hint says what to check after a failed command: the emulators' own logs since this stack started, with
// the lines that name a missing API or an error.
func (s *Stack) hint() string {
	containers := map[string]bool{}
	override := map[string]string{}
	for service, url := range s.env.Endpoints.Profiles["stacks"].Endpoints {
		override[service] = url
	}
	for service := range s.Routes {
		override[service], _ = s.env.URL(s.Routes, service)
	}
	for _, url := range override {
		if container := s.env.Container(url); container != "" {
			containers[container] = true
		}
	}
	var hint strings.Builder
	if output, err := os.ReadFile(filepath.Join(s.Dir, "terraform.log")); err == nil {
		lines := strings.Split(strings.TrimSpace(string(output)), "\n")
		fmt.Fprintf(&hint, "Last lines of %s:\n%s\n", filepath.Join(s.Dir, "terraform.log"), strings.Join(lines[max(0, len(lines)-40):], "\n"))
	}
	hint.WriteString("What to check: the state and override in " + s.Dir + "; the emulators' logs:\n")
	for _, container := range sortedKeys(containers) {
		since := s.started.UTC().Format(time.RFC3339)
		fmt.Fprintf(&hint, "  docker logs --since %s %s\n", since, container)
		output, _ := exec.Command("docker", "logs", "--since", since, container).CombinedOutput()
		var notable []string
		for line := range strings.SplitSeq(string(output), "\n") {
			if strings.Contains(line, "has not been implemented") || strings.Contains(line, "not included in your current license") ||
				strings.Contains(line, "NotImplemented") {
				notable = append(notable, "    "+strings.TrimSpace(line))
			}
		}
		slices.Sort(notable)
		notable = slices.Compact(notable)
		if len(notable) > 0 {
			fmt.Fprintf(&hint, "  %s lacks (that is a gap to list in the test, docs/terraform.md):\n%s\n", container, strings.Join(notable, "\n"))
		}
	}
	return hint.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	return keys
}

// fileLogger appends Terratest's log lines (every line Terraform prints) to a file: a run's output stays
// readable, and the whole Terraform log is there when something fails.
type fileLogger struct{ path string }

func (l fileLogger) Logf(_ terratesting.TestingT, format string, args ...any) {
	file, err := os.OpenFile(l.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer file.Close()
	fmt.Fprintf(file, format+"\n", args...)
}

// OutputJSON is one output of the stack's state as JSON (objects, maps).
func (s *Stack) OutputJSON(t *testing.T, name string) string {
	t.Helper()
	return terraform.OutputJSON(t, s.Options, name)
}
