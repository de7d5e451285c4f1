# Front door: thin targets over scripts/. `make help` lists them.
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

.PHONY: help run test bench prereqs

help: ## List the targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-z_-]+:.*## / { printf "  %-14s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

run: ## Run the service locally on http://127.0.0.1:8080 with DynamoDB Local (no AWS account, no Docker)
	@scripts/run.sh

.PHONY: images
images: ## Build or fetch the images the build starts from; names go to .local/images.properties (docs/image.md)
	@scripts/images.sh

test: ## Run every test tier (mvn verify), installing what the tests need first
	@scripts/test.sh

bench: ## Benchmark the service against Express 5 (peer) and Go net/http (ceiling); BENCH_QUICK=1 for a short run (docs/benchmark.md)
	@scripts/bench.sh

prereqs: ## Install what the local environment needs, at pinned versions (Docker Engine, kind, k6, kubectl, helm, emulator venvs…)
	@scripts/prereqs.sh

.PHONY: cluster cluster-down
cluster: ## Create (or reuse) the kind cluster users-info with metrics-server; kubeconfig in .local/kubeconfig
	@scripts/cluster.sh

cluster-down: ## Delete the kind cluster users-info
	@scripts/cluster.sh --down

.PHONY: emulators emulators-down
emulators: ## Start (or reuse) moto, LocalStack and DynamoDB Local on 127.0.0.1; writes .local/endpoints.json
	@scripts/emulators.sh up

emulators-down: ## Remove the emulator containers and their network
	@scripts/emulators.sh down

.PHONY: tf-test tf-docs
tf-test: ## Terraform checks and plan tests of infra-shared, infra-eks and infra-ecs: fmt, validate, tflint, README tables, terraform test
	@scripts/terraform.sh verify infra-shared infra-eks infra-ecs infra-ecs/modules/alarms

tf-docs: ## Rewrite the inputs/outputs tables of the three Terraform modules' READMEs (terraform-docs)
	@scripts/terraform.sh docs infra-shared infra-eks infra-ecs infra-ecs/modules/alarms

.PHONY: deploy-kind
deploy-kind: ## Deploy the service's image (IMAGE=…, default users-info:local) into the kind cluster with the chart; http://127.0.0.1:30080
	@scripts/deploy-kind.sh $(IMAGE)

.PHONY: deploy_all destroy_all
deploy_all: ## Deploy infra-shared, then EKS and ECS per DEPLOY_EKS/DEPLOY_ECS (true|false); ENV=local (emulators + kind, default) or ENV=aws (docs/deploy.md)
	@scripts/deploy.sh up

destroy_all: ## Remove what deploy_all made in ENV (local or aws): both stacks, then infra-shared
	@scripts/deploy.sh down
