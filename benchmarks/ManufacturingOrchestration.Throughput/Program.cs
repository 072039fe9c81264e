using ManufacturingOrchestration.Throughput;

// The standard "incoming inspection" throughput run. See benchmarks/README.md.
//   dotnet run -c Release --project benchmarks/ManufacturingOrchestration.Throughput -- --store memory --lots 20000
//   ... -- --burst                 (1,000,000 lots, back-pressure and peak working set)
//   ... -- --store sqlite --lots 20000
//   ... -- --workflow user         (the same work in a workflow written on the public API, UserInspectionWorkflow.cs)
//   ... -- --workflow plain        (the engine alone: a public-API workflow deciding in plain C#, PlainInspectionWorkflow.cs)
//   ... -- --postgres "Host=..." --nodes 3   (three orchestrator node processes in cluster mode on one schema)
//   ... -- --rate 5000 --json      (open loop at a constant 5,000 events/s; one JSON result line for the comparison)
var (options, error) = ThroughputOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine("usage: [--store memory|sqlite|postgres] [--workflow shipped|user|plain] [--lots N] [--parallelism P] [--publishers N] [--batch N] [--queue-capacity N] [--burst] [--db PATH] [--postgres CONNECTION] [--prefill N] [--nodes N] [--lease SECONDS] [--no-warmup] [--json] [--rate N]");
    return 2;
}

using var cancel = new CancellationTokenSource();
if (options.NodeIndex is not null)
{
    // A node process of a --nodes run: the runner that started it gives the orders.
    return await ClusterNode.RunAsync(options, cancel.Token);
}

Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var report = await ThroughputRunner.RunAsync(options, Console.Out, cancel.Token);
return report.Available ? (report.Passed ? 0 : 1) : 3;
