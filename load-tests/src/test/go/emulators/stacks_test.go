package emulators

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// What the Terraform stacks make, in one emulator (the stacks profile's): a VPC with two subnets, and in it
// an ECR repository, an ECS cluster, an EKS cluster and an ALB. The ALB is the cross-service check: the
// emulator accepts it only when the subnets and the security group exist in its own EC2.
func TestStacksServicesInOneVPC(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := awsConfig()
	ec2c := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = endpoint(t, "stacks", "ec2") })

	vpc, err := ec2c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.42.0.0/16")})
	if err != nil {
		t.Fatalf("CreateVpc on %s: %v", *endpoint(t, "stacks", "ec2"), err)
	}
	vpcID := vpc.Vpc.VpcId
	cleanup(t, "VPC "+*vpcID, func(ctx context.Context) error {
		_, err := ec2c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: vpcID})
		return err
	})
	var subnets []string
	for i, zone := range []string{"a", "b"} {
		subnet, err := ec2c.CreateSubnet(ctx, &ec2.CreateSubnetInput{
			VpcId:            vpcID,
			CidrBlock:        aws.String([]string{"10.42.1.0/24", "10.42.2.0/24"}[i]),
			AvailabilityZone: aws.String(endpoints.Region + zone),
		})
		if err != nil {
			t.Fatalf("CreateSubnet: %v", err)
		}
		id := subnet.Subnet.SubnetId
		subnets = append(subnets, *id)
		cleanup(t, "subnet "+*id, func(ctx context.Context) error {
			_, err := ec2c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: id})
			return err
		})
	}
	sg, err := ec2c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String(uniqueName(t, "alb")), Description: aws.String("emulator smoke test"), VpcId: vpcID,
	})
	if err != nil {
		t.Fatalf("CreateSecurityGroup: %v", err)
	}
	cleanup(t, "security group "+*sg.GroupId, func(ctx context.Context) error {
		_, err := ec2c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId})
		return err
	})
	described, err := ec2c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{*vpcID}}},
	})
	if err != nil || len(described.Subnets) != 2 {
		t.Fatalf("DescribeSubnets in %s: %d subnets, error %v; want the 2 just made", *vpcID, len(described.Subnets), err)
	}

	t.Run("ECR repository", func(t *testing.T) {
		repos := ecr.NewFromConfig(cfg, func(o *ecr.Options) { o.BaseEndpoint = endpoint(t, "stacks", "ecr") })
		name := uniqueName(t, "repo")
		made, err := repos.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(name)})
		if err != nil {
			t.Fatalf("CreateRepository: %v", err)
		}
		cleanup(t, "repository "+name, func(ctx context.Context) error {
			_, err := repos.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String(name), Force: true})
			return err
		})
		if made.Repository.RepositoryUri == nil || *made.Repository.RepositoryUri == "" {
			t.Fatalf("repository %s has no URI", name)
		}
	})

	t.Run("ECS cluster", func(t *testing.T) {
		clusters := ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = endpoint(t, "stacks", "ecs") })
		name := uniqueName(t, "ecs")
		if _, err := clusters.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(name)}); err != nil {
			t.Fatalf("CreateCluster: %v", err)
		}
		cleanup(t, "ECS cluster "+name, func(ctx context.Context) error {
			_, err := clusters.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String(name)})
			return err
		})
		got, err := clusters.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{name}})
		if err != nil || len(got.Clusters) != 1 || aws.ToString(got.Clusters[0].Status) != "ACTIVE" {
			t.Fatalf("DescribeClusters %s: %+v, error %v; want one ACTIVE cluster", name, got, err)
		}
	})

	t.Run("EKS cluster in the VPC", func(t *testing.T) {
		roles := iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = endpoint(t, "stacks", "iam") })
		roleName := uniqueName(t, "eks")
		role, err := roles.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName: aws.String(roleName),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
				`"Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
		})
		if err != nil {
			t.Fatalf("CreateRole: %v", err)
		}
		cleanup(t, "role "+roleName, func(ctx context.Context) error {
			_, err := roles.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(roleName)})
			return err
		})
		clusters := eks.NewFromConfig(cfg, func(o *eks.Options) { o.BaseEndpoint = endpoint(t, "stacks", "eks") })
		name := uniqueName(t, "eks")
		if _, err := clusters.CreateCluster(ctx, &eks.CreateClusterInput{
			Name:               aws.String(name),
			RoleArn:            role.Role.Arn,
			ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: subnets},
		}); err != nil {
			t.Fatalf("CreateCluster: %v", err)
		}
		cleanup(t, "EKS cluster "+name, func(ctx context.Context) error {
			_, err := clusters.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)})
			return err
		})
		got, err := clusters.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
		if err != nil {
			t.Fatalf("DescribeCluster: %v", err)
		}
		// moto keeps the subnets as given and leaves vpcId empty (real EKS derives it); the subnets are the
		// VPC's, as DescribeSubnets showed above.
		if got := got.Cluster.ResourcesVpcConfig.SubnetIds; !slices.Equal(got, subnets) {
			t.Fatalf("EKS cluster %s has subnets %v, want the VPC's %v", name, got, subnets)
		}
	})

	t.Run("ALB in the VPC", func(t *testing.T) {
		lbs := elb.NewFromConfig(cfg, func(o *elb.Options) { o.BaseEndpoint = endpoint(t, "stacks", "elbv2") })
		name := "smoke-" + uniqueName(t, "")[len("users-info-smoke--"):] // ALB names: at most 32 characters
		made, err := lbs.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
			Name:           aws.String(name),
			Type:           elbtypes.LoadBalancerTypeEnumApplication,
			Scheme:         elbtypes.LoadBalancerSchemeEnumInternal,
			Subnets:        subnets,
			SecurityGroups: []string{*sg.GroupId},
		})
		if err != nil {
			t.Fatalf("CreateLoadBalancer in subnets %v: %v", subnets, err)
		}
		arn := made.LoadBalancers[0].LoadBalancerArn
		cleanup(t, "load balancer "+name, func(ctx context.Context) error {
			_, err := lbs.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: arn})
			return err
		})
		got, err := lbs.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{*arn}})
		if err != nil || len(got.LoadBalancers) != 1 {
			t.Fatalf("DescribeLoadBalancers %s: %+v, error %v", name, got, err)
		}
		if vpc := aws.ToString(got.LoadBalancers[0].VpcId); vpc != *vpcID {
			t.Fatalf("ALB %s is in VPC %q, want %s", name, vpc, *vpcID)
		}
	})
}
