// Command openapi30 writes the OpenAPI 3.0 view of the roadmapd API
// description, for code generators that read only OpenAPI 3.0.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/roadmapd/roadmapd/internal/api/openapi"
)

func main() {
	out := flag.String("o", "openapi-3.0.json", "the file to write")
	flag.Parse()
	data, err := openapi.OpenAPI30()
	if err == nil {
		err = os.WriteFile(*out, append(data, '\n'), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapi30:", err)
		os.Exit(1)
	}
}
