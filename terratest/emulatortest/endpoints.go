// Package emulatortest applies the project's Terraform stacks against the local AWS emulators and gives the
// tests AWS SDK clients that read what the apply really created (docs/terraform.md, "Terratest").
package emulatortest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Endpoints is .local/endpoints.json as scripts/emulators.sh writes it (schema: docs/local-environment.md).
type Endpoints struct {
	SchemaVersion int    `json:"schema_version"`
	Region        string `json:"region"`
	Credentials   struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
	} `json:"credentials"`
	Emulators map[string]Emulator `json:"emulators"`
	Profiles  map[string]Profile  `json:"profiles"`
}

// Emulator is one emulator container and where it answers.
type Emulator struct {
	URL       string `json:"url"`
	HealthURL string `json:"health_url"`
	Container string `json:"container"`
	Image     string `json:"image"`
}

// Profile is one use of the emulators: "stacks" (Terraform) or "alarms" (alarm behaviour). Endpoints are keyed
// by the Terraform AWS provider's endpoints argument names.
type Profile struct {
	Emulator  string            `json:"emulator"`
	Endpoints map[string]string `json:"endpoints"`
}

const schemaVersion = 1

// Env is what every test of a run shares: the repository and the emulators' endpoints.
type Env struct {
	Root      string
	Endpoints Endpoints
}

// Run is a test package's TestMain: Setup, then the tests with *env set, or exit 1 naming what failed.
func Run(m *testing.M, env **Env) {
	e, err := Setup()
	if err != nil {
		fmt.Fprintf(os.Stderr, "AWS emulators: %v\n", err)
		os.Exit(1)
	}
	*env = e
	os.Exit(m.Run())
}

// Setup finds the repository, starts the emulators when they do not answer (scripts/emulators.sh up: 2-3 s
// when they run, about 2.5 min the first time on a machine) and reads their endpoints. Call it from TestMain.
func Setup() (*Env, error) {
	root, err := repositoryRoot()
	if err != nil {
		return nil, err
	}
	env := &Env{Root: root}
	path := filepath.Join(root, ".local", "endpoints.json")
	if err := env.load(path); err != nil || !env.healthy() {
		fmt.Fprintf(os.Stderr, "AWS emulators not running or endpoints missing: starting them (scripts/emulators.sh up)\n")
		cmd := exec.Command(filepath.Join(root, "scripts", "emulators.sh"), "up")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("scripts/emulators.sh up failed (%v): see its output above, or run `make emulators`", err)
		}
		if err := env.load(path); err != nil {
			return nil, err
		}
		if !env.healthy() {
			return nil, errors.New("the emulators still do not answer after scripts/emulators.sh up: check `docker ps` and `docker logs users-info-moto`")
		}
	}
	return env, nil
}

// repositoryRoot is $USERS_INFO_ROOT (Maven sets it), else the nearest directory above holding mvnw.
func repositoryRoot() (string, error) {
	if dir := os.Getenv("USERS_INFO_ROOT"); dir != "" {
		return dir, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "mvnw")); err == nil {
			return dir, nil
		}
	}
	return "", errors.New("cannot find the repository root (no mvnw above the working directory); set USERS_INFO_ROOT")
}

func (e *Env) load(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s does not exist: run `make emulators`", path)
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, &e.Endpoints); err != nil {
		return fmt.Errorf("%s is not valid JSON (%v): run `make emulators` to write it again", path, err)
	}
	if e.Endpoints.SchemaVersion != schemaVersion {
		return fmt.Errorf("%s has schema_version %d, these tests read %d: run `make emulators` to write it again",
			path, e.Endpoints.SchemaVersion, schemaVersion)
	}
	return nil
}

// healthy: every emulator with a health URL answers it.
func (e *Env) healthy() bool {
	client := http.Client{Timeout: 3 * time.Second}
	for _, emulator := range e.Endpoints.Emulators {
		if emulator.HealthURL == "" {
			continue
		}
		response, err := client.Get(emulator.HealthURL)
		if err != nil {
			return false
		}
		_ = response.Body.Close()
		if response.StatusCode != http.StatusOK {
			return false
		}
	}
	return true
}

// AWSConfig is the SDK configuration every client starts from: the file's region and credentials and nothing
// from the machine's own AWS configuration, so no request can reach a real account.
func (e *Env) AWSConfig() aws.Config {
	return aws.Config{
		Region: e.Endpoints.Region,
		Credentials: credentials.NewStaticCredentialsProvider(
			e.Endpoints.Credentials.AccessKeyID, e.Endpoints.Credentials.SecretAccessKey, ""),
		RetryMaxAttempts: 3,
	}
}

// URL is the endpoint of service (a Terraform provider endpoints key) under routes: the stacks profile, with
// the services routes names sent to another emulator.
func (e *Env) URL(routes Routes, service string) (string, error) {
	if route, ok := routes[service]; ok {
		url := e.Endpoints.Emulators[route.Emulator].URL
		if url == "" {
			return "", fmt.Errorf("the endpoints file has no emulator %q (for %s): run `make emulators`", route.Emulator, service)
		}
		return url, nil
	}
	url := e.Endpoints.Profiles["stacks"].Endpoints[service]
	if url == "" {
		return "", fmt.Errorf("the endpoints file's stacks profile has no %q endpoint: run `make emulators`", service)
	}
	return url, nil
}

// Container is the container of the emulator that answers on url, for failure messages.
func (e *Env) Container(url string) string {
	for _, emulator := range e.Endpoints.Emulators {
		if emulator.URL == url {
			return emulator.Container
		}
	}
	return ""
}
