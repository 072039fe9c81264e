using ManufacturingOrchestration.Samples;
using ManufacturingOrchestration.Samples.CycleCount;

// Scenario 3: cycle-count discrepancy → pause picks, supervisor approval (never the counter), ERP adjustment.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var report = await CycleCountSample.RunAsync(SampleOptions.Parse(args), Console.Out, cancel.Token);
return report.AuditValid && report.OpenDeadLetters == 0 ? 0 : 1;
