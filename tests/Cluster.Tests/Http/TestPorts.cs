using System.Net;
using System.Net.Sockets;

namespace Cluster.Tests.Http;

/// <summary>Free TCP ports for a test silo's Orleans endpoints, asked of the OS so parallel tests and other processes never collide.</summary>
public static class TestPorts
{
    public static (int Silo, int Gateway) Next()
    {
        // Both held open while asking, so the two differ.
        using var silo = new TcpListener(IPAddress.Loopback, 0);
        using var gateway = new TcpListener(IPAddress.Loopback, 0);
        silo.Start();
        gateway.Start();
        return (((IPEndPoint)silo.LocalEndpoint).Port, ((IPEndPoint)gateway.LocalEndpoint).Port);
    }
}
