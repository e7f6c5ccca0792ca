package dev.mailroom.domain;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * A small authoritative DNS server on loopback (UDP) answering TXT and MX records from a map, so
 * that verification is tested against real DNS messages. Unknown names are NXDOMAIN.
 */
final class TestDnsServer implements AutoCloseable {

  private record Entry(int type, String value) {}

  private final DatagramSocket socket;
  private final Map<String, List<Entry>> records = new ConcurrentHashMap<>();
  private final Thread thread;

  TestDnsServer() {
    try {
      socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    } catch (SocketException e) {
      throw new IllegalStateException(e);
    }
    thread = new Thread(this::serve, "test-dns");
    thread.setDaemon(true);
    thread.start();
  }

  String address() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  void txt(String name, String value) {
    records
        .computeIfAbsent(key(name), k -> new CopyOnWriteArrayList<>())
        .add(new Entry(Type.TXT, value));
  }

  void mx(String name, String host) {
    records
        .computeIfAbsent(key(name), k -> new CopyOnWriteArrayList<>())
        .add(new Entry(Type.MX, host));
  }

  void remove(String name) {
    records.remove(key(name));
  }

  void clear() {
    records.clear();
  }

  /** The TXT values published at a name, for a verifier that looks keys up. */
  List<String> txtValues(String name) {
    List<String> values = new ArrayList<>();
    for (Entry entry : records.getOrDefault(key(name), List.of())) {
      if (entry.type() == Type.TXT) {
        values.add(entry.value());
      }
    }
    return values;
  }

  private static String key(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }

  private void serve() {
    byte[] buffer = new byte[4096];
    while (!socket.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
        Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
        byte[] answer = answer(query).toWire();
        socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
      } catch (IOException | RuntimeException e) {
        if (socket.isClosed()) {
          return;
        }
      }
    }
  }

  private Message answer(Message query) throws IOException {
    Record question = query.getQuestion();
    Message response = new Message(query.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    response.getHeader().setFlag(Flags.AA);
    response.addRecord(question, Section.QUESTION);
    List<Entry> entries = records.get(key(question.getName().toString()));
    if (entries == null) {
      response.getHeader().setRcode(Rcode.NXDOMAIN);
      return response;
    }
    Name name = question.getName();
    for (Entry entry : entries) {
      if (entry.type() != question.getType()) {
        continue;
      }
      if (entry.type() == Type.TXT) {
        response.addRecord(
            new TXTRecord(name, DClass.IN, 60, chunks(entry.value())), Section.ANSWER);
      } else {
        response.addRecord(
            new MXRecord(name, DClass.IN, 60, 10, Name.fromString(entry.value(), Name.root)),
            Section.ANSWER);
      }
    }
    return response;
  }

  /** A TXT record holds strings of at most 255 bytes; a 2048-bit key needs two. */
  private static List<String> chunks(String value) {
    List<String> chunks = new ArrayList<>();
    for (int i = 0; i < value.length(); i += 255) {
      chunks.add(value.substring(i, Math.min(value.length(), i + 255)));
    }
    return chunks;
  }

  @Override
  public void close() {
    socket.close();
  }
}
