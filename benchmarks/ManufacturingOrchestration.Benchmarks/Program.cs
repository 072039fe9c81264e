using BenchmarkDotNet.Running;

// Run all:       dotnet run -c Release --project benchmarks/ManufacturingOrchestration.Benchmarks -- --filter '*'
// One class:     ... -- --filter '*LotTransition*'
// Quick look:    ... -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
