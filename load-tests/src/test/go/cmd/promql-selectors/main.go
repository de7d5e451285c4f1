// Command promql-selectors reads PromQL expressions, one JSON string per line on stdin, and prints for each
// a JSON array of the series selectors it contains, as Prometheus's own parser reads them: the test that
// evaluates every rule and dashboard expression asks Prometheus whether each selector matches a series.
// An expression that does not parse is reported as {"error": "..."} on its line.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/prometheus/prometheus/promql/parser"
)

type result struct {
	Selectors []string `json:"selectors,omitempty"`
	Error     string   `json:"error,omitempty"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var expr string
		if err := json.Unmarshal(in.Bytes(), &expr); err != nil {
			fail(fmt.Errorf("line is not a JSON string: %w", err))
		}
		if err := out.Encode(selectors(expr)); err != nil {
			fail(err)
		}
	}
	if err := in.Err(); err != nil {
		fail(err)
	}
}

func selectors(expr string) result {
	parsed, err := parser.ParseExpr(expr)
	if err != nil {
		return result{Error: err.Error()}
	}
	var found []string
	parser.Inspect(parsed, func(node parser.Node, _ []parser.Node) error {
		if selector, ok := node.(*parser.VectorSelector); ok {
			// Name and matchers only: whether a series exists does not depend on offset or @.
			found = append(found, (&parser.VectorSelector{Name: selector.Name, LabelMatchers: selector.LabelMatchers}).String())
		}
		return nil
	})
	return result{Selectors: found}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "promql-selectors:", err)
	os.Exit(1)
}
