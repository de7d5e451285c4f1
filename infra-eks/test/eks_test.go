// Terratest of infra-eks against the local AWS emulators, on an infra-shared applied by the test: the cluster,
// roles, key and log groups read back with the AWS SDK, what the emulators cannot create (add-ons, access, Pod
// Identity, the node group after them) checked in the run's own plan, node group bounds and log retention
// changed, then destroy (docs/terraform.md, "Terratest").
package test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"example.com/usersinfo/terratest/emulatortest"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var env *emulatortest.Env

func TestMain(m *testing.M) { emulatortest.Run(m, &env) }

// The administrator the test names: an access entry is planned for it (moto's account is 123456789012).
const admin = "arn:aws:iam::123456789012:role/platform-admin"

// moto starts without the AWS-managed policies (its IAM loads them only with MOTO_IAM_LOAD_MANAGED_POLICIES),
// and the cluster and node roles attach four of them; LocalStack's IAM has them. moto's EKS does not look the
// roles up, so the cluster may name roles of the other emulator.
var routes = emulatortest.Routes{"iam": {Emulator: "localstack",
	Why: "moto 5.2.1 has no AWS-managed policies (AttachRolePolicy of AmazonEKSClusterPolicy, AmazonEKSWorkerNodePolicy, " +
		"AmazonEC2ContainerRegistryPullOnly, AmazonEKS_CNI_Policy: NoSuchEntity); LocalStack community's IAM has them"}}

// TestInfraEKS is the package's only test, so it runs alone within the package (as TestInfraShared); go test
// runs it beside the other stacks' packages.
func TestInfraEKS(t *testing.T) {
	ctx := context.Background()
	name := emulatortest.UniqueName(t)

	shared := env.NewStack(t, "infra-shared", nil, map[string]any{
		"name": name, "table_name": name + "-users", "ecr_force_delete": true, "table_deletion_protection": false,
	})
	shared.Apply(t)

	// The smallest node group that still autoscales (1..2), one administrator; everything else the defaults.
	vars := map[string]any{
		"name":               name,
		"shared_state":       map[string]any{"backend": "local", "config": map[string]any{"path": shared.StatePath()}},
		"cluster_admin_arns": []string{admin},
		"node_min_size":      1,
		"node_max_size":      2,
	}
	stack := env.NewStack(t, "infra-eks", routes, vars)
	stack.Unchecked = []string{"aws_eks_cluster access_config (authentication mode API, no admin rights for the creator) and upgrade_policy " +
		"(STANDARD): moto 5.2.1 and 5.2.5 store neither (DescribeCluster returns no accessConfig or upgradePolicy), so every later plan " +
		"replaces the cluster (bootstrap_cluster_creator_admin_permissions forces replacement); the planned values are asserted here, " +
		"the second apply checks that this is the replacement's only cause, and tests/eks.tftest.hcl (cluster_defaults) covers them"}
	clients := stack.Clients(t)
	stack.Apply(t)
	stack.ReportGaps(t)

	private := shared.OutputList(t, "private_subnet_ids")
	tableArn := shared.Output(t, "table_arn")
	keyArn := stack.Output(t, "secrets_kms_key_arn")
	defaultVersion := variableDefault(t, stack, "kubernetes_version")

	t.Run("cluster: version, private subnets, Secrets encrypted with the key, control-plane logs", func(t *testing.T) {
		described, err := clients.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
		require.NoError(t, err)
		cluster := described.Cluster
		assert.Equal(t, name, aws.ToString(cluster.Name))
		assert.Equal(t, stack.Output(t, "cluster_arn"), aws.ToString(cluster.Arn))
		assert.Equal(t, defaultVersion, aws.ToString(cluster.Version), "the variable's default (the kind cluster's minor)")
		assert.Equal(t, name+"-eks-cluster", roleName(t, aws.ToString(cluster.RoleArn)))
		require.NotNil(t, cluster.ResourcesVpcConfig)
		assert.ElementsMatch(t, private, cluster.ResourcesVpcConfig.SubnetIds, "infra-shared's private subnets")
		require.Len(t, cluster.EncryptionConfig, 1)
		assert.Equal(t, []string{"secrets"}, cluster.EncryptionConfig[0].Resources)
		assert.Equal(t, keyArn, aws.ToString(cluster.EncryptionConfig[0].Provider.KeyArn))
		var enabled []string
		for _, setup := range cluster.Logging.ClusterLogging {
			if aws.ToBool(setup.Enabled) {
				for _, logType := range setup.Types {
					enabled = append(enabled, string(logType))
				}
			}
		}
		assert.ElementsMatch(t, []string{"api", "audit", "authenticator"}, enabled)
		assert.Equal(t, "infra-eks", cluster.Tags["users-info/stack"], "default_tags reach the cluster")
		// Not returned by moto (stack.Unchecked): what Terraform sends.
		planned := planned(t, stack, "aws_eks_cluster.this")
		assert.Equal(t, []any{map[string]any{"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": false}}, planned["access_config"])
		assert.Equal(t, []any{map[string]any{"support_type": "STANDARD"}}, planned["upgrade_policy"])
		assert.Equal(t, false, planned["bootstrap_self_managed_addons"])
	})

	t.Run("secrets key: rotation on, alias", func(t *testing.T) {
		key, err := clients.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyArn)})
		require.NoError(t, err)
		assert.True(t, key.KeyMetadata.Enabled)
		rotation, err := clients.KMS.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(keyArn)})
		require.NoError(t, err)
		assert.True(t, rotation.KeyRotationEnabled)
		alias, err := clients.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/eks/" + name)})
		require.NoError(t, err)
		assert.Equal(t, keyArn, aws.ToString(alias.KeyMetadata.Arn))
	})

	// Not applied (config/terraform/emulator-gaps.json): what Terraform would send for them, from this run's plan.
	t.Run("planned: node group 1..2 in the private subnets, t3.medium on demand, autoscaler tags", func(t *testing.T) {
		group := planned(t, stack, "aws_eks_node_group.this")
		assertScaling(t, group, 1, 2, 1)
		assert.ElementsMatch(t, private, group["subnet_ids"])
		assert.Equal(t, []any{"t3.medium"}, group["instance_types"])
		assert.Equal(t, "ON_DEMAND", group["capacity_type"])
		assert.Equal(t, "AL2023_x86_64_STANDARD", group["ami_type"])
		assert.Equal(t, name+"-default", group["node_group_name"])
		assert.Contains(t, references(t, stack, "aws_eks_node_group.this", "node_role_arn"), "aws_iam_role.node.arn")
		tags, _ := group["tags"].(map[string]any)
		assert.Equal(t, "owned", tags["k8s.io/cluster-autoscaler/"+name])
		assert.Equal(t, "true", tags["k8s.io/cluster-autoscaler/enabled"])
	})

	t.Run("IAM: the roles, their trust, the service's policy names only the table", func(t *testing.T) {
		for role, principal := range map[string]string{
			"eks-cluster": "eks.amazonaws.com", "eks-node": "ec2.amazonaws.com", "eks-service": "pods.eks.amazonaws.com",
			"eks-fluent-bit": "pods.eks.amazonaws.com", "eks-cluster-autoscaler": "pods.eks.amazonaws.com",
		} {
			got, err := clients.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name + "-" + role)})
			require.NoError(t, err, role)
			trust := document[struct {
				Statement []struct{ Principal struct{ Service string } }
			}](t, aws.ToString(got.Role.AssumeRolePolicyDocument))
			require.Len(t, trust.Statement, 1, role)
			assert.Equal(t, principal, trust.Statement[0].Principal.Service, role)
		}
		policy, err := clients.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name + "-eks-service"), PolicyName: aws.String("users-table")})
		require.NoError(t, err)
		service := document[struct{ Statement []struct{ Resource any } }](t, aws.ToString(policy.PolicyDocument))
		require.Len(t, service.Statement, 1)
		assert.Equal(t, tableArn, service.Statement[0].Resource, "the users table only: no *, no other table")
		attached, err := clients.IAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name + "-eks-service")})
		require.NoError(t, err)
		assert.Empty(t, attached.AttachedPolicies, "no managed policy widens the service's role")
	})

	t.Run("log groups: control plane 90 days, containers 30 days", func(t *testing.T) {
		assert.Equal(t, map[string]int32{"/aws/eks/" + name + "/cluster": 90, "/aws/eks/" + name + "/containers": 30}, logGroups(t, clients.Logs, name))
	})

	t.Run("planned: add-ons incl. the Pod Identity agent and metrics-server", func(t *testing.T) {
		addons := map[string]string{}
		for address, resource := range stack.Plan.ResourcePlannedValuesMap {
			if resource.Type == "aws_eks_addon" {
				addons[resource.AttributeValues["addon_name"].(string)] = strings.SplitN(address, "[", 2)[0]
				assert.Equal(t, name, resource.AttributeValues["cluster_name"], address)
				assert.Equal(t, "OVERWRITE", resource.AttributeValues["resolve_conflicts_on_create"], address)
			}
		}
		assert.Equal(t, map[string]string{
			"vpc-cni": "aws_eks_addon.before_nodes", "kube-proxy": "aws_eks_addon.before_nodes", "eks-pod-identity-agent": "aws_eks_addon.before_nodes",
			"coredns": "aws_eks_addon.after_nodes", "metrics-server": "aws_eks_addon.after_nodes",
		}, addons, "the DaemonSets before the nodes, the Deployments after them")
	})

	t.Run("planned: Pod Identity associations, the service's with its table-only role", func(t *testing.T) {
		roles := map[string]string{"service": "eks-service", "fluent_bit": "eks-fluent-bit", "cluster_autoscaler": "eks-cluster-autoscaler"}
		accounts := map[string]string{"service": "users-info/users-info", "fluent_bit": "amazon-cloudwatch/aws-for-fluent-bit",
			"cluster_autoscaler": "kube-system/cluster-autoscaler"}
		for key, account := range accounts {
			association := planned(t, stack, "aws_eks_pod_identity_association."+key)
			assert.Equal(t, name, association["cluster_name"], key)
			assert.Equal(t, account, association["namespace"].(string)+"/"+association["service_account"].(string), key)
			// The role ARN is known after the role's apply, so the plan names it as an unknown value; the role
			// it refers to is checked from the configuration instead.
			assert.Contains(t, references(t, stack, "aws_eks_pod_identity_association."+key, "role_arn"), "aws_iam_role."+key+".arn", key)
			_, err := clients.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name + "-" + roles[key])})
			assert.NoError(t, err, "the role of %s exists", key)
		}
	})

	t.Run("planned: the administrator's access entry and cluster-admin policy", func(t *testing.T) {
		entry := planned(t, stack, `aws_eks_access_entry.admin["`+admin+`"]`)
		assert.Equal(t, admin, entry["principal_arn"])
		assert.Equal(t, "STANDARD", entry["type"])
		association := planned(t, stack, `aws_eks_access_policy_association.admin["`+admin+`"]`)
		assert.Equal(t, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", association["policy_arn"])
		assert.Equal(t, []any{map[string]any{"namespaces": nil, "type": "cluster"}}, association["access_scope"])
	})
	if t.Failed() {
		return
	}

	// Bounds for more load and a shorter retention: Terraform updates the node group and the log group in place.
	vars["node_min_size"], vars["node_max_size"], vars["log_retention_days"] = 2, 4, 7
	stack.Apply(t)

	t.Run("the change: log group in place; the cluster replaced only for what moto drops", func(t *testing.T) {
		actions := map[string]string{}
		for _, change := range stack.Plan.RawPlan.ResourceChanges {
			actions[change.Address] = strings.Join(stringsOf(change.Change.Actions), ",")
			if change.Address == "aws_eks_cluster.this" {
				assert.Equal(t, []any{[]any{"access_config", float64(0), "bootstrap_cluster_creator_admin_permissions"}}, change.Change.ReplacePaths,
					"the cluster is replaced for no other reason than moto's missing accessConfig")
			}
		}
		assert.Equal(t, "update", actions["aws_cloudwatch_log_group.containers"])
		assert.Equal(t, "no-op", actions["aws_cloudwatch_log_group.cluster"])
		assert.Equal(t, "no-op", actions["aws_kms_key.secrets[0]"])
	})

	t.Run("node group 2..4 planned, containers' logs 7 days", func(t *testing.T) {
		// The node group was never created (a gap), so this plan creates it again, starting at the new minimum.
		assertScaling(t, planned(t, stack, "aws_eks_node_group.this"), 2, 4, 2)
		assert.Equal(t, int32(7), logGroups(t, clients.Logs, name)["/aws/eks/"+name+"/containers"])
	})

	stack.Destroy(t)

	t.Run("nothing left", func(t *testing.T) {
		clusters, err := clients.EKS.ListClusters(ctx, &eks.ListClustersInput{})
		require.NoError(t, err)
		assert.NotContains(t, clusters.Clusters, name)
		for _, role := range []string{"eks-cluster", "eks-node", "eks-service", "eks-fluent-bit", "eks-cluster-autoscaler"} {
			_, err := clients.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name + "-" + role)})
			assert.Error(t, err, "role %s", role)
		}
		assert.Empty(t, logGroups(t, clients.Logs, name))
		aliases, err := clients.KMS.ListAliases(ctx, &kms.ListAliasesInput{})
		require.NoError(t, err)
		for _, alias := range aliases.Aliases {
			assert.NotEqual(t, "alias/eks/"+name, aws.ToString(alias.AliasName))
		}
		key, err := clients.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyArn)})
		require.NoError(t, err)
		assert.Equal(t, "PendingDeletion", string(key.KeyMetadata.KeyState), "KMS keys are only scheduled for deletion")
	})
}

func stringsOf[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, value := range values {
		out[i] = string(value)
	}
	return out
}

// assertScaling: a planned node group's scaling_config.
func assertScaling(t *testing.T, group map[string]any, low, high, desired float64) {
	t.Helper()
	scaling, _ := group["scaling_config"].([]any)
	require.Len(t, scaling, 1)
	assert.Equal(t, map[string]any{"min_size": low, "max_size": high, "desired_size": desired}, scaling[0])
}

// logGroups: the stack's log groups (/aws/eks/NAME/...) and their retention in days.
func logGroups(t *testing.T, client *cloudwatchlogs.Client, name string) map[string]int32 {
	t.Helper()
	groups, err := client.DescribeLogGroups(context.Background(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/eks/" + name + "/")})
	require.NoError(t, err)
	retention := map[string]int32{}
	for _, group := range groups.LogGroups {
		retention[aws.ToString(group.LogGroupName)] = aws.ToInt32(group.RetentionInDays)
	}
	return retention
}

// planned is one resource's planned attribute values in the stack's last plan.
func planned(t *testing.T, stack *emulatortest.Stack, address string) map[string]any {
	t.Helper()
	resource, ok := stack.Plan.ResourcePlannedValuesMap[address]
	require.True(t, ok, "the plan has %s", address)
	return resource.AttributeValues
}

// references: what one attribute of a resource refers to in the configuration Terraform planned.
func references(t *testing.T, stack *emulatortest.Stack, address, attribute string) []string {
	t.Helper()
	for _, resource := range stack.Plan.RawPlan.Config.RootModule.Resources {
		if resource.Address == address {
			expression, ok := resource.Expressions[attribute]
			require.True(t, ok, "%s has %s in the configuration", address, attribute)
			return expression.References
		}
	}
	t.Fatalf("the configuration has no %s", address)
	return nil
}

// variableDefault is a variable's default in the stack's configuration, so the test follows variables.tf.
func variableDefault(t *testing.T, stack *emulatortest.Stack, name string) string {
	t.Helper()
	variable, ok := stack.Plan.RawPlan.Config.RootModule.Variables[name]
	require.True(t, ok, "the configuration has variable %s", name)
	value, ok := variable.Default.(string)
	require.True(t, ok, "variable %s has a string default", name)
	return value
}

func roleName(t *testing.T, arn string) string {
	t.Helper()
	_, name, ok := strings.Cut(arn, ":role/")
	require.True(t, ok, "%s is no role ARN", arn)
	return name
}

// document parses an IAM policy document, which IAM returns URL-encoded (RFC 3986).
func document[T any](t *testing.T, encoded string) T {
	t.Helper()
	text, err := url.QueryUnescape(encoded)
	require.NoError(t, err)
	var parsed T
	require.NoError(t, json.Unmarshal([]byte(text), &parsed), text)
	return parsed
}
