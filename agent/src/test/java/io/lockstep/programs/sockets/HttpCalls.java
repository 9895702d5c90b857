package io.lockstep.programs.sockets;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * java.net.http's client against a server at 127.0.0.1:{@code args[0]}: its selector thread,
 * its workers, a connect timeout, synchronous and asynchronous requests (one at a time). What the
 * server answers and the client's clock show in the transcript, so it varies from run to run.
 */
public final class HttpCalls {
    private HttpCalls() {
    }

    public static void main(String[] args) throws Exception {
        URI base = URI.create("http://127.0.0.1:" + args[0] + "/");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        for (int i = 0; i < 3; i++) {
            long started = System.nanoTime();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve("get/" + i)).build(),
                HttpResponse.BodyHandlers.ofString());
            System.out.println("GET " + i + ": " + response.statusCode() + " " + response.body().trim() + " in "
                + (System.nanoTime() - started) / 1000 % 100 + " us mod 100");
        }
        // One at a time: concurrent requests on one client are not replayed reliably yet (README).
        for (int i = 0; i < 6; i++) {
            String body = "post " + i + " " + ThreadLocalRandom.current().nextInt(1000);
            HttpRequest request = HttpRequest.newBuilder(base.resolve("post/" + i))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            CompletableFuture<String> post = client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> response.statusCode() + " " + response.body().trim());
            System.out.println("POST: " + post.join());
        }
        System.out.println("done at " + System.currentTimeMillis() % 1000 + " ms mod 1000");
    }
}
