using ManufacturingOrchestration.Samples;
using ManufacturingOrchestration.Samples.ProductionConfirmation;

// Scenario 5: partial and final production confirmations → ERP and MES, reservations kept then released.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var report = await ProductionConfirmationSample.RunAsync(SampleOptions.Parse(args), Console.Out, cancel.Token);
return report.AuditValid && report.OpenDeadLetters == 0 ? 0 : 1;
