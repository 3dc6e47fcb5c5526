namespace Rce.Functions.Tests;
