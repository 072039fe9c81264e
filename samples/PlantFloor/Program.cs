using ManufacturingOrchestration.Samples;
using ManufacturingOrchestration.Samples.PlantFloor;

// The plant-floor simulator: every scenario across three plants on the embedded SQLite store.
// Options: --events N (default 600), --seed S (default 42), --out DIR (default: a folder under the temp directory).
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var report = await PlantFloorSimulation.RunAsync(SampleOptions.Parse(args), Console.Out, cancel.Token);
var ok = report.Summary.AuditValid && report.Summary.OpenDeadLetters == 0 && report.Summary.EffectKeysUnique;
return ok ? 0 : 1;
