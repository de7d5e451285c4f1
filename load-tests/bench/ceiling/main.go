// The benchmark's ceiling (docs/benchmark.md): the same JSON answer as users-info's GET /, from Go's
// net/http and nothing else, serialized per request as the service and the peer do. It stands for the
// practical upper bound of a managed runtime on one core. PORT and HOST choose where it listens
// (default 127.0.0.1:8090); GET /health/readiness answers for the start-up timing.
package main

import (
	"encoding/json"
	"log"
	"net"
	"net/http"
	"os"
)

type greeting struct {
	Message  string `json:"message"`
	Instance string `json:"instance"`
	Version  string `json:"version"`
}

// version is what the answer reports, as the service reports its own.
const version = "1.0.0"

func main() {
	instance := os.Getenv("HOSTNAME")
	if instance == "" {
		instance, _ = os.Hostname()
	}
	hello := greeting{Message: "Hello, World!", Instance: instance, Version: version}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, hello)
	})
	mux.HandleFunc("GET /health/readiness", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]string{"status": "UP"})
	})
	addr := net.JoinHostPort(getenv("HOST", "127.0.0.1"), getenv("PORT", "8090"))
	log.Printf("ceiling: Go net/http on http://%s", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
}

func writeJSON(w http.ResponseWriter, body any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(body); err != nil {
		log.Printf("ceiling: writing the answer: %v", err)
	}
}

func getenv(key, fallback string) string {
	if value := os.Getenv(key); value != "" {
		return value
	}
	return fallback
}
