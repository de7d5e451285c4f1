// Package emulators is the emulator smoke test (docs/local-environment.md, "AWS emulators"): every AWS
// service the platform uses answers at the address .local/endpoints.json gives for it, with the same SDK
// (aws-sdk-go-v2) the Terraform apply tests use. `make emulators` starts the emulators and writes that
// file; Maven runs `go test` here in load-tests' integration-test phase.
package emulators
