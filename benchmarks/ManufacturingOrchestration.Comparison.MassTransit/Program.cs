using ManufacturingOrchestration.Comparison.MassTransit;

// The standard "incoming inspection" scenario on MassTransit 8.5.12, the baseline of the comparison. See benchmarks/README.md.
//   dotnet run -c Release --project benchmarks/ManufacturingOrchestration.Comparison.MassTransit -- --lots 20000
//   ... -- --rate 5000 --json      (open loop at a constant 5,000 events/s; one JSON result line)
var (options, error) = MassTransitOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine("usage: [--lots N] [--parallelism P] [--publishers N] [--batch N] [--no-warmup] [--json] [--rate N]");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var result = await MassTransitRunner.RunAsync(options, Console.Out, cancel.Token);
return result.Passed ? 0 : 1;
