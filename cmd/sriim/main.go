// Command sriim runs SRIIM, the Sistema Regional Integrado de Información de
// Moluscos. Run "sriim help" for its commands.
package main

import (
	"context"
	"os"

	"sriim/internal/app"
)

func main() {
	os.Exit(app.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
