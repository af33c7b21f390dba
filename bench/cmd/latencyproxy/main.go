// Command latencyproxy is a TCP proxy that adds a fixed delay to every burst of bytes the
// client sends, so each round trip to the server takes that much longer (server-to-client
// bytes are not delayed, and a burst never waits behind an earlier one's delay: the delay
// is latency, not a bandwidth limit). It serves until killed. bench/run.sh -latency uses it.
//
//	latencyproxy -listen 127.0.0.1:55500 -target 127.0.0.1:55499 -delay 1ms
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:55500", "address to listen on (loopback)")
	target := flag.String("target", "127.0.0.1:55499", "server address to forward to (loopback)")
	delay := flag.Duration("delay", time.Millisecond, "delay added to each client-to-server burst")
	flag.Parse()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "latencyproxy:", err)
		os.Exit(1)
	}
	log.Printf("latencyproxy: %s -> %s, +%s per round trip", *listen, *target, *delay)
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Printf("latencyproxy: accept: %v", err)
			continue
		}
		go serve(c, *target, *delay)
	}
}

func serve(client net.Conn, target string, delay time.Duration) {
	server, err := net.Dial("tcp", target)
	if err != nil {
		log.Printf("latencyproxy: dial %s: %v", target, err)
		client.Close()
		return
	}
	for _, c := range []net.Conn{client, server} {
		if t, ok := c.(*net.TCPConn); ok {
			t.SetNoDelay(true)
		}
	}
	done := make(chan struct{}, 2)
	go func() { delayed(server, client, delay); done <- struct{}{} }()
	go func() { io.Copy(client, server); done <- struct{}{} }()
	<-done
	client.Close()
	server.Close()
	<-done
}

type burst struct {
	b  []byte
	at time.Time
}

// delayed copies src to dst, writing each burst read from src delay after it was read.
func delayed(dst, src net.Conn, delay time.Duration) {
	ch := make(chan burst, 256)
	go func() {
		defer close(ch)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				ch <- burst{buf[:n], time.Now().Add(delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for b := range ch {
		if d := time.Until(b.at); d > 0 {
			time.Sleep(d)
		}
		if _, err := dst.Write(b.b); err != nil {
			for range ch {
			}
			return
		}
	}
}
