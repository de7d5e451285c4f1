// Terratest of infra-shared against the local AWS emulators: apply, read the real API state with the AWS SDK,
// flip the NAT mode, destroy, check that nothing is left (docs/terraform.md, "Terratest").
package test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"example.com/usersinfo/terratest/emulatortest"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var env *emulatortest.Env

func TestMain(m *testing.M) { emulatortest.Run(m, &env) }

func TestInfraShared(t *testing.T) {
	ctx := context.Background()
	name := emulatortest.UniqueName(t)
	testName := t.Name()
	vars := map[string]any{
		"name":       name,
		"table_name": name + "-users",
		// As examples/emulator.tfvars: everything must be destroyable again.
		"ecr_force_delete":          true,
		"table_deletion_protection": false,
		"tags":                      map[string]string{"users-info/test": testName},
	}
	stack := env.NewStack(t, "infra-shared", nil, vars)
	aws := stack.Clients(t)

	stack.Apply(t)
	stack.ReportGaps(t)

	vpcID := stack.Output(t, "vpc_id")
	zones := stack.OutputList(t, "availability_zones")
	public := stack.OutputList(t, "public_subnet_ids")
	private := stack.OutputList(t, "private_subnet_ids")
	require.Len(t, zones, 2, "az_count defaults to 2")

	t.Run("vpc", func(t *testing.T) {
		vpcs, err := aws.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpcID}})
		require.NoError(t, err)
		require.Len(t, vpcs.Vpcs, 1)
		assert.Equal(t, "10.0.0.0/16", deref(vpcs.Vpcs[0].CidrBlock))
		tags := ec2Tags(vpcs.Vpcs[0].Tags)
		assert.Equal(t, name, tags["Name"])
		assert.Equal(t, "infra-shared", tags["users-info/stack"], "default_tags reach the resources")
		assert.Equal(t, testName, tags["users-info/test"], "var.tags reach the resources")
		hostnames, err := aws.EC2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{
			VpcId: &vpcID, Attribute: ec2types.VpcAttributeNameEnableDnsHostnames})
		require.NoError(t, err)
		assert.True(t, *hostnames.EnableDnsHostnames.Value)
	})

	t.Run("subnets", func(t *testing.T) {
		subnets := describeSubnets(t, aws.EC2, vpcID)
		require.Len(t, subnets, 4, "one public and one private subnet per zone")
		want := map[string]struct{ cidr, zone, tier string }{
			public[0]: {"10.0.0.0/20", zones[0], "public"}, public[1]: {"10.0.16.0/20", zones[1], "public"},
			private[0]: {"10.0.128.0/20", zones[0], "private"}, private[1]: {"10.0.144.0/20", zones[1], "private"},
		}
		for _, subnet := range subnets {
			w, ok := want[*subnet.SubnetId]
			require.True(t, ok, "subnet %s is in no output", *subnet.SubnetId)
			assert.Equal(t, w.cidr, *subnet.CidrBlock, *subnet.SubnetId)
			assert.Equal(t, w.zone, *subnet.AvailabilityZone, *subnet.SubnetId)
			assert.Equal(t, w.tier, ec2Tags(subnet.Tags)["Tier"], *subnet.SubnetId)
			assert.False(t, *subnet.MapPublicIpOnLaunch, *subnet.SubnetId)
		}
	})

	t.Run("one NAT gateway, every private route through it", func(t *testing.T) {
		nats := natGateways(t, aws.EC2, vpcID)
		require.Len(t, nats, 1, "nat_gateway_mode single")
		assert.Equal(t, public[0], *nats[0].SubnetId, "in the first zone's public subnet")
		assertRoutes(t, aws.EC2, vpcID, private, map[string]string{private[0]: *nats[0].NatGatewayId, private[1]: *nats[0].NatGatewayId})
	})

	t.Run("ecr repository", func(t *testing.T) {
		repositories, err := aws.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
		require.NoError(t, err)
		require.Len(t, repositories.Repositories, 1)
		repository := repositories.Repositories[0]
		assert.Equal(t, stack.Output(t, "ecr_repository_url"), *repository.RepositoryUri)
		assert.Equal(t, ecrtypes.ImageTagMutabilityImmutable, repository.ImageTagMutability)
		assert.True(t, repository.ImageScanningConfiguration.ScanOnPush)
		assert.Equal(t, ecrtypes.EncryptionTypeAes256, repository.EncryptionConfiguration.EncryptionType)
		assertLifecycle(t, aws.ECR, name, 30)
	})

	t.Run("users table", func(t *testing.T) {
		table, err := aws.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: awsString(name + "-users")})
		require.NoError(t, err)
		assert.Equal(t, stack.Output(t, "table_arn"), *table.Table.TableArn)
		assert.Equal(t, ddbtypes.BillingModePayPerRequest, table.Table.BillingModeSummary.BillingMode)
		assert.Equal(t, []ddbtypes.KeySchemaElement{{AttributeName: awsString("pk"), KeyType: ddbtypes.KeyTypeHash}}, table.Table.KeySchema,
			"partition key pk only, as DynamoDbUserRepository reads it")
		assert.Equal(t, []ddbtypes.AttributeDefinition{{AttributeName: awsString("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}}, table.Table.AttributeDefinitions)
		assert.False(t, *table.Table.DeletionProtectionEnabled, "switched off by the test, as in examples/emulator.tfvars")
		require.NotNil(t, table.Table.SSEDescription, "server-side encryption")
		assert.Equal(t, ddbtypes.SSEStatusEnabled, table.Table.SSEDescription.Status)
		backups, err := aws.DynamoDB.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: awsString(name + "-users")})
		require.NoError(t, err)
		assert.Equal(t, ddbtypes.PointInTimeRecoveryStatusEnabled,
			backups.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus)
	})
	if t.Failed() {
		return
	}

	// The switch: a NAT gateway per zone, each private subnet routed through its own zone's; the lifecycle
	// policy follows ecr_keep_images.
	vars["nat_gateway_mode"] = "one_per_az"
	vars["ecr_keep_images"] = 5
	stack.Apply(t)

	t.Run("one_per_az: a NAT gateway per zone, each private subnet through its own", func(t *testing.T) {
		nats := natGateways(t, aws.EC2, vpcID)
		require.Len(t, nats, 2)
		natInSubnet := map[string]string{}
		for _, nat := range nats {
			natInSubnet[*nat.SubnetId] = *nat.NatGatewayId
		}
		require.Contains(t, natInSubnet, public[0])
		require.Contains(t, natInSubnet, public[1])
		assertRoutes(t, aws.EC2, vpcID, private, map[string]string{private[0]: natInSubnet[public[0]], private[1]: natInSubnet[public[1]]})
		assert.Len(t, describeSubnets(t, aws.EC2, vpcID), 4, "switching NAT mode changes no subnet")
		assertLifecycle(t, aws.ECR, name, 5)
	})

	stack.Destroy(t)

	t.Run("nothing left", func(t *testing.T) {
		vpcs, err := aws.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: awsString("vpc-id"), Values: []string{vpcID}}}})
		require.NoError(t, err)
		assert.Empty(t, vpcs.Vpcs, "VPC %s", vpcID)
		assert.Empty(t, describeSubnets(t, aws.EC2, vpcID))
		assert.Empty(t, natGateways(t, aws.EC2, vpcID))
		addresses, err := aws.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []ec2types.Filter{
			{Name: awsString("tag:Name"), Values: []string{name + "-nat-" + zones[0], name + "-nat-" + zones[1]}}}})
		require.NoError(t, err)
		assert.Empty(t, addresses.Addresses, "elastic IPs of the NAT gateways")
		_, err = aws.ECR.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
		var noRepository *ecrtypes.RepositoryNotFoundException
		assert.True(t, errors.As(err, &noRepository), "repository %s: %v", name, err)
		_, err = aws.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: awsString(name + "-users")})
		var noTable *ddbtypes.ResourceNotFoundException
		assert.True(t, errors.As(err, &noTable), "table %s-users: %v", name, err)
	})
}

func describeSubnets(t *testing.T, client *ec2.Client, vpcID string) []ec2types.Subnet {
	t.Helper()
	subnets, err := client.DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: awsString("vpc-id"), Values: []string{vpcID}}}})
	require.NoError(t, err)
	return subnets.Subnets
}

// natGateways of the VPC that are not being deleted or deleted.
func natGateways(t *testing.T, client *ec2.Client, vpcID string) []ec2types.NatGateway {
	t.Helper()
	nats, err := client.DescribeNatGateways(context.Background(), &ec2.DescribeNatGatewaysInput{
		Filter: []ec2types.Filter{{Name: awsString("vpc-id"), Values: []string{vpcID}}}})
	require.NoError(t, err)
	var live []ec2types.NatGateway
	for _, nat := range nats.NatGateways {
		if nat.State != ec2types.NatGatewayStateDeleted && nat.State != ec2types.NatGatewayStateDeleting {
			live = append(live, nat)
		}
	}
	return live
}

// assertRoutes: each private subnet has its own route table whose default route goes to want[subnet]; the
// public subnets share one whose default route goes to the internet gateway.
func assertRoutes(t *testing.T, client *ec2.Client, vpcID string, private []string, want map[string]string) {
	t.Helper()
	tables, err := client.DescribeRouteTables(context.Background(), &ec2.DescribeRouteTablesInput{
		Filters: []ec2types.Filter{{Name: awsString("vpc-id"), Values: []string{vpcID}}}})
	require.NoError(t, err)
	assert.Len(t, tables.RouteTables, 4, "main, public, one per private subnet")
	seen := map[string]bool{}
	for _, table := range tables.RouteTables {
		for _, association := range table.Associations {
			subnet := deref(association.SubnetId)
			nat, isPrivate := want[subnet]
			if !isPrivate {
				if subnet != "" {
					assert.Equal(t, "igw", defaultRouteTarget(table)[:3], "public subnet %s goes out through the internet gateway", subnet)
				}
				continue
			}
			assert.False(t, seen[*table.RouteTableId], "route table %s serves one private subnet only", *table.RouteTableId)
			seen[*table.RouteTableId] = true
			assert.Equal(t, nat, defaultRouteTarget(table), "default route of private subnet %s", subnet)
		}
	}
	assert.Len(t, seen, len(private), "every private subnet has its own route table")
}

func defaultRouteTarget(table ec2types.RouteTable) string {
	for _, route := range table.Routes {
		if deref(route.DestinationCidrBlock) == "0.0.0.0/0" {
			if route.NatGatewayId != nil {
				return *route.NatGatewayId
			}
			return deref(route.GatewayId)
		}
	}
	return "none"
}

func assertLifecycle(t *testing.T, client *ecr.Client, repository string, keep int) {
	t.Helper()
	policy, err := client.GetLifecyclePolicy(context.Background(), &ecr.GetLifecyclePolicyInput{RepositoryName: &repository})
	require.NoError(t, err)
	var rules struct {
		Rules []struct {
			RulePriority int
			Selection    struct {
				TagStatus, CountType, CountUnit string
				CountNumber                     int
			}
			Action struct{ Type string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(*policy.LifecyclePolicyText), &rules))
	require.Len(t, rules.Rules, 2, *policy.LifecyclePolicyText)
	untagged, recent := rules.Rules[0], rules.Rules[1]
	assert.Equal(t, 1, untagged.RulePriority)
	assert.Equal(t, "untagged", untagged.Selection.TagStatus)
	assert.Equal(t, "sinceImagePushed", untagged.Selection.CountType)
	assert.Equal(t, 1, untagged.Selection.CountNumber)
	assert.Equal(t, 2, recent.RulePriority)
	assert.Equal(t, "any", recent.Selection.TagStatus)
	assert.Equal(t, "imageCountMoreThan", recent.Selection.CountType)
	assert.Equal(t, keep, recent.Selection.CountNumber)
	assert.Equal(t, "expire", recent.Action.Type)
}

func ec2Tags(tags []ec2types.Tag) map[string]string {
	m := map[string]string{}
	for _, tag := range tags {
		m[deref(tag.Key)] = deref(tag.Value)
	}
	return m
}

func deref(s *string) string { return aws.ToString(s) }

func awsString(s string) *string { return aws.String(s) }
