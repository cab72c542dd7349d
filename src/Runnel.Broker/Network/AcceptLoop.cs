using System.Net;
using System.Net.Sockets;

namespace Runnel.Broker.Network;

/// <summary>
/// What every listening socket of the broker shares (the Kafka listeners and the metrics
/// endpoint): resolving the configured host to bind, and the loop that accepts connections until
/// the broker stops.
/// </summary>
internal static class AcceptLoop
{
    /// <summary>
    /// The address to bind for <paramref name="host"/>: every interface when empty, an IP literal
    /// as it is, a host name's first IPv4 address (else its first address).
    /// </summary>
    public static IPAddress ResolveBindAddress(string host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return IPAddress.Any;
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }

        var addresses = Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>
    /// Accepts on <paramref name="listening"/> and hands each connection to <paramref name="accepted"/>
    /// (which owns it from then on) until <paramref name="stopping"/> is cancelled or the socket is closed.
    /// </summary>
    public static async Task RunAsync(Socket listening, Action<Socket> accepted, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listening.AcceptAsync(stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                // The client reset before accept completed; the listening socket is fine.
                continue;
            }

            accepted(client);
        }
    }
}
