using ManufacturingOrchestration.Samples;
using ManufacturingOrchestration.Samples.FinishedGoodsRelease;

// Scenario 2: finished-goods release → stock, shipment hold, ATP, customer service, genealogy.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var report = await FinishedGoodsReleaseSample.RunAsync(SampleOptions.Parse(args), Console.Out, cancel.Token);
return report.AuditValid && report.OpenDeadLetters == 0 ? 0 : 1;
