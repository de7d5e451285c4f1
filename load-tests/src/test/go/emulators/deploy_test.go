package emulators

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// make deploy_all (ENV=local) and its two switches, both ways: switching one stack off removes it on the
// next run and leaves infra-shared and the other stack as they were; destroy_all removes everything. The
// EKS side locally is the service in kind (the EKS stack cannot be applied to an emulator: docs/deploy.md).
func TestDeploySwitches(t *testing.T) {
	ctx := context.Background()
	ec2c := ec2.NewFromConfig(awsConfig(), func(o *ec2.Options) { o.BaseEndpoint = endpoint(t, "stacks", "ec2") })
	ecsc := ecs.NewFromConfig(awsConfig(), func(o *ecs.Options) { o.BaseEndpoint = endpoint(t, "stacks", "ecs") })

	deploy(t, "up", "true", "true")
	vpc := output(t, "infra-shared", "vpc_id")
	cluster := output(t, "infra-ecs", "cluster_arn")
	pod := servicePod(t)
	if pod == "" {
		t.Fatal("deploy_all with DEPLOY_EKS=true left no users-info pod in kind")
	}
	if !clusterActive(ctx, t, ecsc, cluster) {
		t.Fatalf("deploy_all with DEPLOY_ECS=true left ECS cluster %s inactive", cluster)
	}

	deploy(t, "up", "true", "false")
	if clusterActive(ctx, t, ecsc, cluster) {
		t.Errorf("DEPLOY_ECS=false left ECS cluster %s active", cluster)
	}
	if got := servicePod(t); got != pod {
		t.Errorf("DEPLOY_ECS=false touched the kind deployment: pod %q became %q", pod, got)
	}
	assertVPC(ctx, t, ec2c, vpc, true)

	deploy(t, "up", "false", "true")
	if got := servicePod(t); got != "" {
		t.Errorf("DEPLOY_EKS=false left pod %s in kind", got)
	}
	cluster = output(t, "infra-ecs", "cluster_arn")
	if !clusterActive(ctx, t, ecsc, cluster) {
		t.Errorf("DEPLOY_ECS=true did not bring ECS cluster %s back", cluster)
	}
	assertVPC(ctx, t, ec2c, vpc, true)

	deploy(t, "down", "true", "true")
	if clusterActive(ctx, t, ecsc, cluster) {
		t.Errorf("destroy_all left ECS cluster %s active", cluster)
	}
	assertVPC(ctx, t, ec2c, vpc, false)
}

// deploy runs scripts/deploy.sh ACTION with the two switches; its output goes to the test log.
func deploy(t *testing.T, action, eks, ecsOn string) {
	t.Helper()
	t.Logf("scripts/deploy.sh %s with DEPLOY_EKS=%s DEPLOY_ECS=%s", action, eks, ecsOn)
	cmd := exec.Command(filepath.Join(root, "scripts", "deploy.sh"), action)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "ENV=local", "DEPLOY_EKS="+eks, "DEPLOY_ECS="+ecsOn)
	out, err := cmd.CombinedOutput()
	t.Log(string(out))
	if err != nil {
		t.Fatalf("scripts/deploy.sh %s (DEPLOY_EKS=%s DEPLOY_ECS=%s) failed: %v; its output is above, logs in .local/deploy-*.log",
			action, eks, ecsOn, err)
	}
}

func output(t *testing.T, module, name string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(root, "scripts", "terraform.sh"), "run", filepath.Join(root, ".local", "deploy", module), "output", "-raw", name)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("terraform output %s of %s: %v", name, module, err)
	}
	return string(out)
}

// servicePod is the uid of the users-info pod in kind, or "" when there is none.
func servicePod(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("kubectl", "--kubeconfig", filepath.Join(root, ".local", "kubeconfig"), "-n", "users-info",
		"get", "pods", "-l", "app.kubernetes.io/name=users-info", "-o", "jsonpath={.items[*].metadata.uid}", "--ignore-not-found")
	cmd.Env = append(os.Environ(), "PATH="+filepath.Join(os.Getenv("HOME"), ".cache", "users-info", "bin")+":"+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil && !strings.Contains(string(out), "not found") {
		t.Fatalf("kubectl get pods in users-info: %v: %s", err, out)
	}
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func clusterActive(ctx context.Context, t *testing.T, client *ecs.Client, arn string) bool {
	t.Helper()
	out, err := client.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{arn}})
	if err != nil {
		t.Fatalf("DescribeClusters %s: %v", arn, err)
	}
	return len(out.Clusters) == 1 && aws.ToString(out.Clusters[0].Status) == "ACTIVE"
}

func assertVPC(ctx context.Context, t *testing.T, client *ec2.Client, id string, exists bool) {
	t.Helper()
	out, err := client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}})
	found := err == nil && len(out.Vpcs) == 1
	if found != exists {
		t.Errorf("infra-shared's VPC %s: exists=%v, want %v (err %v)", id, found, exists, err)
	}
}
