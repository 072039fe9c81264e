// One private PostgreSQL cluster for the whole test process, shared by every test class of this project.
[assembly: AssemblyFixture(typeof(ManufacturingOrchestration.Storage.PostgreSql.Tests.PostgreSqlCluster))]
