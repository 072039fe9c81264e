using ManufacturingOrchestration.Comparison;

// The side-by-side comparison against MassTransit 8.5.12. See benchmarks/README.md.
//   dotnet build -c Release benchmarks/ManufacturingOrchestration.Comparison
//   dotnet <artifacts>/bin/ManufacturingOrchestration.Comparison/release/ManufacturingOrchestration.Comparison.dll --lots 20000 --rounds 3
var (options, error) = ComparisonOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine("usage: [--lots N] [--rounds N] [--gc server|workstation|both] [--no-latency] [--no-warmup] [--throughput-dll PATH] [--masstransit-dll PATH]");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await ComparisonRunner.RunAsync(options, Console.Out, cancel.Token);
