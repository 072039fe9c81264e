using ManufacturingOrchestration.Samples;
using ManufacturingOrchestration.Samples.ScrapSpike;

// Scenario 4: scrap spike → alert quality and maintenance, update yield metrics, review replenishment.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var report = await ScrapSpikeSample.RunAsync(SampleOptions.Parse(args), Console.Out, cancel.Token);
return report.AuditValid && report.OpenDeadLetters == 0 ? 0 : 1;
