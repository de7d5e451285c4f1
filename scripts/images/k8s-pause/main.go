// Command pause is the process of a pod's sandbox container: it holds the pod's namespaces open, reaps
// the zombies of a shared PID namespace (it is PID 1 there) and exits on SIGINT or SIGTERM, which is
// what the kubelet and containerd expect of registry.k8s.io/pause. Built by scripts/images/kind-node.sh.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 16)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		reap()
	}
}

// reap collects every exited child; one SIGCHLD may stand for several.
func reap() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
