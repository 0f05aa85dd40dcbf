//! The client through real embassy-net `TcpSocket`s: two embassy-net
//! stacks in one process joined by an in-memory `embassy_net_driver::Driver`
//! (IP medium; no TUN device, no root, no packet leaves the process), the
//! bridge behind a listening socket on one, `confpart_embassy::net::connect`
//! and the client on the other. The addresses are TEST-NET-1
//! (192.0.2.0/24, for documentation) and exist only inside this test.
mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::task::{Context, Waker};

use common::{Bridge, Buffers, TestRng, anchor, config, now, pki, request, tls13_server_config};
use confpart::api::update::Update;
use confpart::client::Operation;
use confpart::wire::http::{Progress, RequestReader};
use confpart::wire::ident::ParticipantRef;
use confpart_embassy::Connection;
use confpart_embassy::net::{Server, TlsVerify, connect, connect_tls};
use embassy_net::driver::{Capabilities, Driver, HardwareAddress, LinkState, RxToken, TxToken};
use embassy_net::tcp::TcpSocket;
use embassy_net::{Config, IpAddress, Ipv4Address, Ipv4Cidr, StackResources, StaticConfigV4};
use embedded_io_async::Write as _;
use std::io::{Read as _, Write as _};

/// One direction of the wire: packets and the waker of the receiving side.
#[derive(Default)]
struct Wire {
    packets: Mutex<VecDeque<Vec<u8>>>,
    waker: Mutex<Option<Waker>>,
}

impl Wire {
    fn push(&self, packet: Vec<u8>) {
        self.packets.lock().unwrap().push_back(packet);
        if let Some(w) = self.waker.lock().unwrap().take() {
            w.wake();
        }
    }
}

struct Nic {
    rx: Arc<Wire>,
    tx: Arc<Wire>,
}

struct Rx(Vec<u8>);
struct Tx(Arc<Wire>);

impl RxToken for Rx {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(mut self, f: F) -> R {
        f(&mut self.0)
    }
}

impl TxToken for Tx {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut packet = vec![0u8; len];
        let r = f(&mut packet);
        self.0.push(packet);
        r
    }
}

impl Driver for Nic {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx;

    fn receive(&mut self, cx: &mut Context<'_>) -> Option<(Rx, Tx)> {
        // Register first, then look: a packet pushed in between wakes us.
        *self.rx.waker.lock().unwrap() = Some(cx.waker().clone());
        let packet = self.rx.packets.lock().unwrap().pop_front()?;
        Some((Rx(packet), Tx(self.tx.clone())))
    }

    fn transmit(&mut self, _cx: &mut Context<'_>) -> Option<Tx> {
        Some(Tx(self.tx.clone()))
    }

    fn link_state(&mut self, _cx: &mut Context<'_>) -> LinkState {
        LinkState::Up
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::default();
        caps.max_transmission_unit = 1500;
        caps
    }

    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ip
    }
}

fn ip_config(last: u8) -> Config {
    Config::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(Ipv4Address::new(192, 0, 2, last), 24),
        gateway: None,
        dns_servers: Default::default(),
    })
}

/// The bridge behind a listening socket: serves each accepted connection
/// until the peer closes or resets it, then listens again.
async fn bridge_server(stack: embassy_net::Stack<'_>, bridge: Arc<Mutex<Bridge>>) {
    let (mut srx, mut stx) = ([0u8; 2048], [0u8; 2048]);
    let mut socket = TcpSocket::new(stack, &mut srx, &mut stx);
    loop {
        socket.accept(80).await.unwrap();
        let mut rx = vec![0u8; 8192];
        let mut chunk = [0u8; 512];
        'connection: loop {
            let mut reader = RequestReader::new(&mut rx);
            let response = loop {
                let n = match socket.read(&mut chunk).await {
                    Ok(0) | Err(_) => break 'connection,
                    Ok(n) => n,
                };
                if let Progress::Complete(m) = reader.feed(&chunk[..n]).unwrap() {
                    break bridge.lock().unwrap().respond(&m);
                }
            };
            if socket.write_all(&response).await.is_err() {
                break;
            }
        }
        socket.abort();
        let _ = socket.flush().await;
    }
}

#[tokio::test]
async fn recipes_through_two_embassy_net_stacks() {
    let a_to_b = Arc::new(Wire::default());
    let b_to_a = Arc::new(Wire::default());
    let nic_a = Nic {
        rx: b_to_a.clone(),
        tx: a_to_b.clone(),
    };
    let nic_b = Nic {
        rx: a_to_b,
        tx: b_to_a,
    };
    let resources_a = Box::leak(Box::new(StackResources::<3>::new()));
    let resources_b = Box::leak(Box::new(StackResources::<4>::new()));
    let (stack_a, mut runner_a) = embassy_net::new(nic_a, ip_config(1), resources_a, 1);
    let (stack_b, mut runner_b) = embassy_net::new(nic_b, ip_config(2), resources_b, 2);

    let (bridge, room) = Bridge::new();
    let bridge_for_server = bridge.clone();

    let test = async move {
        stack_a.wait_config_up().await;
        stack_b.wait_config_up().await;
        // Let the server tasks reach `accept` first.
        embassy_time::Timer::after_millis(20).await;
        let (mut srx, mut stx) = ([0u8; 1024], [0u8; 1024]);
        let mut socket = TcpSocket::new(stack_a, &mut srx, &mut stx);
        let mut buffers = Buffers::new();
        let mut client = buffers.client(config());
        let server = Server::new("192.0.2.2", 80);
        let agent = ParticipantRef::Call(room.agent);

        // Several updates on one connection.
        connect(stack_a, &mut socket, &server).await.unwrap();
        let mut connection = Some(Connection::new(&mut socket));
        for update in [
            Update::coach(room.customer),
            Update::monitor(room.customer),
            Update::barge(),
            Update::mute(),
            Update::hold_with_music("https://music.example.com/hold.mp3"),
            Update::unhold(),
            Update::announce("https://hooks.example.com/a.xml"),
        ] {
            let req = request(&room, Operation::update(&agent, update));
            let mut reply = client.send(connection.take().unwrap(), &req).await.unwrap();
            assert_eq!(reply.participant().unwrap().call_sid(), Some(&room.agent));
            connection = reply.take_connection();
        }
        assert_eq!(connection.as_ref().map(Connection::exchanges), Some(7));

        // Reconnecting the same socket (the previous connection is
        // aborted) and sending again.
        connect(stack_a, &mut socket, &server).await.unwrap();
        let req = request(&room, Operation::fetch(&agent));
        let reply = client
            .send(Connection::new(&mut socket), &req)
            .await
            .unwrap();
        assert_eq!(reply.participant().unwrap().hold(), Some(false));

        // Nobody listens on port 81: the connect fails.
        let refused = connect(stack_a, &mut socket, &Server::new("192.0.2.2", 81)).await;
        assert_eq!(refused, Err(confpart_embassy::Error::Connect));
    };

    tokio::select! {
        _ = runner_a.run() => unreachable!(),
        _ = runner_b.run() => unreachable!(),
        // Two listeners: one is ready while the other winds down.
        _ = bridge_server(stack_b, bridge_for_server.clone()) => unreachable!(),
        _ = bridge_server(stack_b, bridge_for_server) => unreachable!(),
        () = test => {}
    }
    assert_eq!(bridge.lock().unwrap().requests, 8);
}

/// A rustls TLS 1.3 server over an embassy-net socket (rustls is sans-IO
/// underneath: TLS bytes are moved between the socket and the session by
/// hand), answering with the bridge; one connection.
async fn tls_bridge_server(
    stack: embassy_net::Stack<'_>,
    bridge: Arc<Mutex<Bridge>>,
    config: Arc<rustls::ServerConfig>,
) {
    let (mut srx, mut stx) = ([0u8; 4096], [0u8; 4096]);
    let mut socket = TcpSocket::new(stack, &mut srx, &mut stx);
    socket.accept(443).await.unwrap();
    let mut tls = rustls::ServerConnection::new(config).unwrap();
    let mut rx = vec![0u8; 8192];
    let mut reader = RequestReader::new(&mut rx);
    let mut net_in = [0u8; 2048];
    let mut plain = [0u8; 2048];
    loop {
        while tls.wants_write() {
            let mut out = Vec::new();
            tls.write_tls(&mut out).unwrap();
            socket.write_all(&out).await.unwrap();
        }
        let n = match socket.read(&mut net_in).await {
            Ok(0) | Err(_) => std::future::pending().await,
            Ok(n) => n,
        };
        tls.read_tls(&mut &net_in[..n]).unwrap();
        if tls.process_new_packets().is_err() {
            // Send the alert, then stop serving.
            let mut out = Vec::new();
            let _ = tls.write_tls(&mut out);
            let _ = socket.write_all(&out).await;
            std::future::pending::<()>().await;
        }
        loop {
            let k = match tls.reader().read(&mut plain) {
                Ok(0) | Err(_) => break,
                Ok(k) => k,
            };
            let response = match reader.feed(&plain[..k]).unwrap() {
                Progress::Complete(m) => Some(bridge.lock().unwrap().respond(&m)),
                Progress::Partial => None,
            };
            if let Some(response) = response {
                reader.reset();
                tls.writer().write_all(&response).unwrap();
            }
        }
    }
}

#[tokio::test]
async fn verified_tls13_through_an_embassy_net_socket() {
    let a_to_b = Arc::new(Wire::default());
    let b_to_a = Arc::new(Wire::default());
    let nic_a = Nic {
        rx: b_to_a.clone(),
        tx: a_to_b.clone(),
    };
    let nic_b = Nic {
        rx: a_to_b,
        tx: b_to_a,
    };
    let resources_a = Box::leak(Box::new(StackResources::<3>::new()));
    let resources_b = Box::leak(Box::new(StackResources::<3>::new()));
    let (stack_a, mut runner_a) = embassy_net::new(nic_a, ip_config(1), resources_a, 3);
    let (stack_b, mut runner_b) = embassy_net::new(nic_b, ip_config(2), resources_b, 4);

    let pki = pki("bridge.test");
    let server_config = tls13_server_config(&pki);
    let (bridge, room) = Bridge::new();
    let bridge_for_server = bridge.clone();

    let test = async {
        stack_a.wait_config_up().await;
        stack_b.wait_config_up().await;
        // Let the server task reach `accept` first.
        embassy_time::Timer::after_millis(20).await;
        let (mut srx, mut stx) = ([0u8; 1024], [0u8; 1024]);
        let mut socket = TcpSocket::new(stack_a, &mut srx, &mut stx);
        let mut read_record = vec![0u8; 16_640];
        let mut write_record = vec![0u8; 16_640];
        // The certificate names bridge.test; the address is fixed (no DNS).
        let server =
            Server::new("bridge.test", 443).at(IpAddress::Ipv4(Ipv4Address::new(192, 0, 2, 2)));
        let session = connect_tls(
            stack_a,
            &mut socket,
            &mut read_record,
            &mut write_record,
            &server,
            TlsVerify::Anchors(&anchor(&pki.ca_der), now()),
            TestRng(0x5851_f42d_4c95_7f2d),
        )
        .await
        .unwrap();
        let mut buffers = Buffers::new();
        let mut client = buffers.client(config());
        let agent = ParticipantRef::Call(room.agent);
        let mut connection = Some(Connection::new(session));
        for update in [
            Update::coach(room.customer),
            Update::barge(),
            Update::hold_with_music("https://music.example.com/hold.mp3"),
        ] {
            let req = request(&room, Operation::update(&agent, update));
            let mut reply = client.send(connection.take().unwrap(), &req).await.unwrap();
            assert_eq!(reply.participant().unwrap().call_sid(), Some(&room.agent));
            connection = reply.take_connection();
        }
        assert_eq!(connection.map(|c| c.exchanges()), Some(3));
    };

    tokio::select! {
        _ = runner_a.run() => unreachable!(),
        _ = runner_b.run() => unreachable!(),
        () = tls_bridge_server(stack_b, bridge_for_server, server_config) => unreachable!(),
        () = test => {}
    }
    assert_eq!(bridge.lock().unwrap().requests, 3);
}
