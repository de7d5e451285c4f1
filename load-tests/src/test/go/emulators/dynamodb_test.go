package emulators

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The stacks' DynamoDB (infra-shared's table): a table made through the stacks' dynamodb endpoint takes an
// item and gives it back.
func TestDynamoDBTableRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dynamodb.NewFromConfig(awsConfig(), func(o *dynamodb.Options) {
		o.BaseEndpoint = endpoint(t, "stacks", "dynamodb")
	})
	table := uniqueName(t, "table")

	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatalf("CreateTable on the stacks' DynamoDB (%s): %v", *endpoint(t, "stacks", "dynamodb"), err)
	}
	cleanup(t, "table "+table, func(ctx context.Context) error {
		_, err := db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)})
		return err
	})
	if err := dynamodb.NewTableExistsWaiter(db).Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)}, 30*time.Second); err != nil {
		t.Fatalf("table %s did not become ACTIVE: %v", table, err)
	}

	item := map[string]types.AttributeValue{
		"id":   &types.AttributeValueMemberS{Value: "42"},
		"name": &types.AttributeValueMemberS{Value: "Ada Lovelace"},
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	got, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "42"}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	name, ok := got.Item["name"].(*types.AttributeValueMemberS)
	if !ok || name.Value != "Ada Lovelace" {
		t.Fatalf("GetItem returned %v, want the item just put (name Ada Lovelace)", got.Item)
	}
}
