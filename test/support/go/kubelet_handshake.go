// kubelet_handshake judges TLS endpoints the way kubelet's client does: crypto/tls with RootCAs set
// to the cluster CA bundle and ServerName set to the node-facing API name, nothing else.
// Standard library only. Input on stdin: a JSON list of {id, addr, rootsPem, serverName}; output
// on stdout: a JSON list of {id, ok, error}, in the same order.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"os"
	"time"
)

type job struct {
	ID         string `json:"id"`
	Addr       string `json:"addr"`
	RootsPEM   string `json:"rootsPem"`
	ServerName string `json:"serverName"`
}

type verdict struct {
	ID    string `json:"id"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

func judge(j job) verdict {
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM([]byte(j.RootsPEM)) {
		return verdict{ID: j.ID, Error: "no CA certificate in rootsPem"}
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	conn, err := tls.DialWithDialer(dialer, "tcp", j.Addr, &tls.Config{RootCAs: roots, ServerName: j.ServerName})
	if err != nil {
		return verdict{ID: j.ID, Error: err.Error()}
	}
	conn.Close()
	return verdict{ID: j.ID, OK: true}
}

func main() {
	var jobs []job
	if err := json.NewDecoder(os.Stdin).Decode(&jobs); err != nil {
		os.Stderr.WriteString("bad input: " + err.Error() + "\n")
		os.Exit(2)
	}
	out := make([]verdict, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, judge(j))
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Exit(3)
	}
}
