package emulatortest

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Clients reach each service where the stack's Terraform run sent it (the stacks profile and its routes), so
// an assertion reads exactly what the apply created.
type Clients struct {
	EC2        *ec2.Client
	ECR        *ecr.Client
	DynamoDB   *dynamodb.Client
	ECS        *ecs.Client
	EKS        *eks.Client
	ELBv2      *elasticloadbalancingv2.Client
	CloudWatch *cloudwatch.Client
	Logs       *cloudwatchlogs.Client
	SNS        *sns.Client
	SQS        *sqs.Client
	KMS        *kms.Client
	IAM        *iam.Client
}

// Clients for the services of s, each with its endpoint override.
func (s *Stack) Clients(t *testing.T) Clients {
	t.Helper()
	cfg := s.env.AWSConfig()
	url := func(service string) *string {
		endpoint, err := s.env.URL(s.Routes, service)
		if err != nil {
			t.Fatal(err)
		}
		return &endpoint
	}
	return Clients{
		EC2:      ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = url("ec2") }),
		ECR:      ecr.NewFromConfig(cfg, func(o *ecr.Options) { o.BaseEndpoint = url("ecr") }),
		DynamoDB: dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = url("dynamodb") }),
		ECS:      ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = url("ecs") }),
		EKS:      eks.NewFromConfig(cfg, func(o *eks.Options) { o.BaseEndpoint = url("eks") }),
		ELBv2: elasticloadbalancingv2.NewFromConfig(cfg, func(o *elasticloadbalancingv2.Options) {
			o.BaseEndpoint = url("elbv2")
		}),
		CloudWatch: cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.BaseEndpoint = url("cloudwatch") }),
		Logs:       cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = url("logs") }),
		SNS:        sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = url("sns") }),
		SQS:        sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = url("sqs") }),
		KMS:        kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = url("kms") }),
		IAM:        iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = url("iam") }),
	}
}

// UniqueName is a name no earlier or parallel run uses (the emulators are shared): users-info-tt-<6 hex>, 20
// characters, within the stacks' 24-character limit for var.name.
func UniqueName(t *testing.T) string {
	t.Helper()
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "users-info-tt-" + hex.EncodeToString(b)
}
