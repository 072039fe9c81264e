using ManufacturingOrchestration.Samples.QuickStart;

var path = Path.Combine(Path.GetTempPath(), $"mo-quickstart-{Guid.NewGuid():N}.db");
var blocked = await QuickStartSample.RunAsync(path, Console.Out, CancellationToken.None);
return blocked > 0 ? 0 : 1;
