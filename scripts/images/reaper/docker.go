package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// engine is the little of the Docker Engine API the reaper needs: list resources by filter, remove one.
// Paths carry no API version, so the daemon answers in its own current version: this works from
// Docker 20.10 (API 1.41) to engines that refuse old pinned versions.
type engine struct {
	client  *http.Client
	base    string
	timeout time.Duration
}

// resource is what the reaper logs about a resource it removes.
type resource struct {
	ID   string
	Name string
}

// newEngine connects to DOCKER_HOST (unix:///path or tcp://host:port), by default the socket that
// Testcontainers mounts into the reaper's container.
func newEngine(dockerHost string, timeout time.Duration) (*engine, error) {
	if dockerHost == "" {
		dockerHost = "unix:///var/run/docker.sock"
	}
	u, err := url.Parse(dockerHost)
	if err != nil {
		return nil, fmt.Errorf("DOCKER_HOST=%q is not a URL: use unix:///var/run/docker.sock or tcp://host:2375", dockerHost)
	}
	switch u.Scheme {
	case "unix":
		socket := u.Path
		transport := &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, "unix", socket)
			},
		}
		return &engine{client: &http.Client{Transport: transport}, base: "http://docker", timeout: timeout}, nil
	case "tcp", "http":
		return &engine{client: &http.Client{}, base: "http://" + u.Host, timeout: timeout}, nil
	default:
		return nil, fmt.Errorf("DOCKER_HOST=%q: only unix:// and tcp:// (without TLS) are supported", dockerHost)
	}
}

// call sends one request and decodes a JSON answer into out (when out is not nil); it returns the
// HTTP status, and an error for transport failures and for statuses other than 2xx and 404.
func (e *engine) call(ctx context.Context, method, path string, query url.Values, out any) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	target := e.base + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return 0, err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return resp.StatusCode, nil
	case resp.StatusCode/100 != 2:
		var msg struct{ Message string }
		if json.Unmarshal(body, &msg) != nil || msg.Message == "" {
			msg.Message = strings.TrimSpace(string(body))
		}
		return resp.StatusCode, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, msg.Message)
	case out != nil:
		if err := json.Unmarshal(body, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: unexpected answer: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// ping checks that the engine answers, so a missing socket fails at start, not at reaping time.
func (e *engine) ping(ctx context.Context) error {
	status, err := e.call(ctx, http.MethodGet, "/_ping", nil, nil)
	if err == nil && status == http.StatusNotFound {
		err = fmt.Errorf("GET /_ping: 404: is this a Docker Engine?")
	}
	return err
}

// list returns the resources of kind k that match the filter set.
func (e *engine) list(ctx context.Context, k kind, s filterSet) ([]resource, error) {
	query := url.Values{"filters": {s.engineJSON()}}
	var out []resource
	switch k {
	case containers:
		query.Set("all", "1")
		var got []struct {
			ID    string `json:"Id"`
			Names []string
		}
		if _, err := e.call(ctx, http.MethodGet, "/containers/json", query, &got); err != nil {
			return nil, err
		}
		for _, c := range got {
			out = append(out, resource{ID: c.ID, Name: strings.TrimPrefix(strings.Join(c.Names, ","), "/")})
		}
	case networks:
		var got []struct {
			ID   string `json:"Id"`
			Name string
		}
		if _, err := e.call(ctx, http.MethodGet, "/networks", query, &got); err != nil {
			return nil, err
		}
		for _, n := range got {
			out = append(out, resource{ID: n.ID, Name: n.Name})
		}
	case volumes:
		var got struct {
			Volumes []struct{ Name string }
		}
		if _, err := e.call(ctx, http.MethodGet, "/volumes", query, &got); err != nil {
			return nil, err
		}
		for _, v := range got.Volumes {
			out = append(out, resource{ID: v.Name, Name: v.Name})
		}
	case images:
		var got []struct {
			ID       string `json:"Id"`
			RepoTags []string
		}
		if _, err := e.call(ctx, http.MethodGet, "/images/json", query, &got); err != nil {
			return nil, err
		}
		for _, i := range got {
			out = append(out, resource{ID: i.ID, Name: strings.Join(i.RepoTags, ",")})
		}
	}
	return out, nil
}

// remove deletes one resource; one that is gone already counts as removed. Containers go with their
// anonymous volumes and are killed first if running; images are removed even when tagged several times.
func (e *engine) remove(ctx context.Context, k kind, r resource) error {
	var path string
	query := url.Values{}
	switch k {
	case containers:
		path = "/containers/" + url.PathEscape(r.ID)
		query.Set("force", "1")
		query.Set("v", "1")
	case networks:
		path = "/networks/" + url.PathEscape(r.ID)
	case volumes:
		path = "/volumes/" + url.PathEscape(r.ID)
	case images:
		path = "/images/" + url.PathEscape(r.ID)
		query.Set("force", "1")
	}
	_, err := e.call(ctx, http.MethodDelete, path, query, nil)
	return err
}
