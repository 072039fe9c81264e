using ManufacturingOrchestration.Samples;
using ManufacturingOrchestration.Samples.IncomingInspection;

// Scenario 1: incoming inspection → release or quarantine → ERP correction, across three plants.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var report = await IncomingInspectionSample.RunAsync(SampleOptions.Parse(args), Console.Out, cancel.Token);
return report.AuditValid && report.OpenDeadLetters == 0 ? 0 : 1;
