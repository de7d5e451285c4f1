package emulators

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

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
	Emulators map[string]struct {
		URL          string `json:"url"`
		Container    string `json:"container"`
		InClusterURL string `json:"in_cluster_url"`
	} `json:"emulators"`
	Profiles  map[string]Profile `json:"profiles"`
	AWSConfig struct {
		File string `json:"file"`
	} `json:"aws_config"`
}

// Profile is one use of the emulators: "stacks" (Terraform) or "alarms" (alarm behaviour).
type Profile struct {
	Emulator   string            `json:"emulator"`
	AWSProfile string            `json:"aws_profile"`
	Endpoints  map[string]string `json:"endpoints"`
}

const schemaVersion = 1

var (
	endpoints Endpoints
	// root is the repository's root; the endpoints file and the AWS config are relative to it.
	root string
)

// TestMain stops the run at once, saying what to do, when the emulators were not started.
func TestMain(m *testing.M) {
	var err error
	if root, err = repositoryRoot(); err == nil {
		err = load(filepath.Join(root, ".local", "endpoints.json"))
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "AWS emulators: %v\n", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
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

func load(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s does not exist: run `make emulators` (it starts moto, LocalStack and DynamoDB Local and writes that file)", path)
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, &endpoints); err != nil {
		return fmt.Errorf("%s is not valid JSON (%v): run `make emulators` to write it again", path, err)
	}
	if endpoints.SchemaVersion != schemaVersion {
		return fmt.Errorf("%s has schema_version %d, this test reads %d: run `make emulators` to write it again",
			path, endpoints.SchemaVersion, schemaVersion)
	}
	return nil
}

// awsConfig is the SDK configuration every client here starts from: the file's region and credentials,
// and nothing from the machine's own AWS configuration, so no request can leave for a real account.
func awsConfig() aws.Config {
	return aws.Config{
		Region: endpoints.Region,
		Credentials: credentials.NewStaticCredentialsProvider(
			endpoints.Credentials.AccessKeyID, endpoints.Credentials.SecretAccessKey, ""),
		RetryMaxAttempts: 3,
	}
}

// endpoint is the URL the endpoints file gives for service in profile ("stacks" or "alarms").
func endpoint(t *testing.T, profile, service string) *string {
	t.Helper()
	url := endpoints.Profiles[profile].Endpoints[service]
	if url == "" {
		t.Fatalf("the endpoints file has no %q endpoint in profile %q: run `make emulators`", service, profile)
	}
	return aws.String(url)
}

// uniqueName makes names no earlier or parallel run uses, so runs never collide on a shared emulator.
func uniqueName(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "users-info-smoke-" + prefix + "-" + hex.EncodeToString(b)
}

// cleanup registers a deletion that runs after the test, whatever its outcome, and reports its failure.
func cleanup(t *testing.T, what string, f func(context.Context) error) {
	t.Cleanup(func() {
		if err := f(context.Background()); err != nil {
			t.Errorf("cleanup: deleting %s: %v", what, err)
		}
	})
}
