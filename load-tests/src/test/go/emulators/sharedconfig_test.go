package emulators

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The AWS shared config `make emulators` writes next to the endpoints file routes an SDK that is given only
// a profile name to the same emulators: moto and LocalStack answer GetCallerIdentity with different accounts.
func TestSharedConfigProfilesReachTheirEmulators(t *testing.T) {
	t.Parallel()
	for _, profile := range []string{"stacks", "alarms"} {
		t.Run(profile, func(t *testing.T) {
			account := accounts[endpoints.Profiles[profile].Emulator]
			ctx := context.Background()
			awsProfile := endpoints.Profiles[profile].AWSProfile
			cfg, err := config.LoadDefaultConfig(ctx,
				config.WithSharedConfigFiles([]string{filepath.Join(root, endpoints.AWSConfig.File)}),
				config.WithSharedConfigProfile(awsProfile),
				// Only the generated file: nothing from ~/.aws may redirect or authenticate the calls.
				config.WithSharedCredentialsFiles([]string{}),
			)
			if err != nil {
				t.Fatalf("loading profile %s from %s: %v", awsProfile, endpoints.AWSConfig.File, err)
			}
			identity, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatalf("GetCallerIdentity with profile %s: %v", awsProfile, err)
			}
			if got := aws.ToString(identity.Account); got != account {
				t.Fatalf("profile %s reached account %s, want %s (the %s emulator)", awsProfile, got, account,
					endpoints.Profiles[profile].Emulator)
			}
			if _, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{}); err != nil {
				t.Fatalf("ListQueues with profile %s: %v", awsProfile, err)
			}
		})
	}
}

// The account ID each emulator reports for any credentials.
var accounts = map[string]string{"moto": "123456789012", "localstack": "000000000000"}
