package dev.mailroom.email;

import dev.mailroom.apikey.ApiKey;
import dev.mailroom.email.EmailController.EmailAccepted;
import dev.mailroom.system.MediaTypes;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.lang.reflect.Method;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.converter.SmartHttpMessageConverter;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.filter.ServerHttpObservationFilter;
import org.springframework.web.method.ControllerAdviceBean;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * {@code POST /emails} answered without Spring MVC's dispatch. It is the busiest route, and under
 * load MVC's handler lookup, argument resolution and return value handling around {@link
 * EmailController#send} were a sixth of the request threads' CPU. Everything before it stays:
 * Tomcat, the servlet filters and Spring Security (the key, its scope, its rate limit).
 *
 * <p>The answer is MVC's own: the same controller method, the same JSON message converter reading
 * the body and writing the answer, and on any error the same exception resolvers in the same order,
 * so every answer has the status, headers and body it has through MVC ({@code DirectSendTest}
 * compares the two). Only the plain form comes here, decided from the headers before the body is
 * read: {@code application/json} in UTF-8, an Accept that takes JSON as it is (any type, {@code
 * application/json} or none, in one header), at most one Idempotency-Key, an authenticated key.
 * Anything else (another spelling of the path, another charset, a media type MVC would negotiate)
 * goes on to MVC, which answers it as before.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
class DirectSend extends OncePerRequestFilter {

  private static final String PATH = "/emails";
  private static final ResolvableType REQUEST = ResolvableType.forClass(SendEmailRequest.class);
  private static final ResolvableType ANSWER = ResolvableType.forClass(EmailAccepted.class);

  private final ObjectProvider<EmailController> controller;
  private final ObjectProvider<RequestMappingHandlerAdapter> adapter;
  private final ObjectProvider<HandlerExceptionResolver> resolvers;
  private final ApplicationContext context;
  private volatile @Nullable Wiring wiring;
  // Set once the parts were found unfit for this path (a body advice, a converter it cannot
  // drive): every send then goes to MVC, without looking again.
  private volatile boolean mvcOnly;

  DirectSend(
      ObjectProvider<EmailController> controller,
      ObjectProvider<RequestMappingHandlerAdapter> adapter,
      ObjectProvider<HandlerExceptionResolver> resolvers,
      ApplicationContext context) {
    this.controller = controller;
    this.adapter = adapter;
    this.resolvers = resolvers;
    this.context = context;
  }

  /**
   * What MVC would use for the route, looked up once: the controller and its method, the first
   * converter that reads the request and the first that writes the answer (MVC's own order), and
   * the exception resolvers in the order the DispatcherServlet asks them.
   */
  private record Wiring(
      EmailController controller,
      HandlerMethod handler,
      SmartHttpMessageConverter<Object> reader,
      SmartHttpMessageConverter<Object> writer,
      List<HandlerExceptionResolver> resolvers) {}

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    ApiKey key = plainSend(request);
    Wiring wired = key == null ? null : wiring();
    if (wired == null) {
      chain.doFilter(request, response);
      return;
    }
    ServerHttpObservationFilter.findObservationContext(request)
        .ifPresent(context -> context.setPathPattern(PATH));
    request.setAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, PATH);
    request.setAttribute(HandlerMapping.BEST_MATCHING_HANDLER_ATTRIBUTE, wired.handler());
    try {
      SendEmailRequest send = read(wired, request);
      ResponseEntity<EmailAccepted> answer =
          wired.controller().send(key, send, request.getHeader(EmailApi.IDEMPOTENCY_KEY));
      write(answer, wired.writer(), response);
    } catch (Exception e) {
      resolve(wired, request, response, e);
    }
  }

  /**
   * The body as MVC reads a required {@code @RequestBody}: the same converter, and the same
   * refusals of an empty body, of a JSON {@code null} and of a read that fails (a body cut off at
   * the size limit, bytes that are not UTF-8).
   */
  private static SendEmailRequest read(Wiring wired, HttpServletRequest request) {
    ServletServerHttpRequest message = new ServletServerHttpRequest(request);
    Object body;
    try {
      PushbackInputStream stream = new PushbackInputStream(request.getInputStream(), 1);
      int first = stream.read();
      if (first == -1) {
        body = null;
      } else {
        stream.unread(first);
        body = wired.reader().read(REQUEST, new Body(message, stream), null);
      }
    } catch (IOException e) {
      throw new HttpMessageNotReadableException(
          "I/O error while reading input message", e, message);
    }
    if (body == null) {
      throw new HttpMessageNotReadableException(
          "Required request body is missing: " + wired.handler().getMethod().toGenericString(),
          message);
    }
    return (SendEmailRequest) body;
  }

  /** The key of a send that can be answered here, or null when MVC should answer it. */
  private static @Nullable ApiKey plainSend(HttpServletRequest request) {
    if (!isPlain(request)) {
      return null;
    }
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    return authentication != null && authentication.getPrincipal() instanceof ApiKey key
        ? key
        : null;
  }

  /** Whether the request is a send in the plain form this path answers, headers alone decide. */
  static boolean isPlain(HttpServletRequest request) {
    return request.getDispatcherType() == DispatcherType.REQUEST
        && "POST".equals(request.getMethod())
        && (request.getContextPath() + PATH).equals(request.getRequestURI())
        && isUtf8Json(request.getContentType())
        && atMostOne(request.getHeaders(HttpHeaders.ACCEPT))
        && takesJson(request.getHeader(HttpHeaders.ACCEPT))
        && atMostOne(request.getHeaders(EmailApi.IDEMPOTENCY_KEY));
  }

  private static boolean isUtf8Json(@Nullable String contentType) {
    MediaType type = MediaTypes.parse(contentType);
    if (type == null) {
      return false;
    }
    if (!type.getType().equals("application") || !type.getSubtype().equals("json")) {
      return false;
    }
    Map<String, String> parameters = type.getParameters();
    if (parameters.isEmpty()) {
      return true;
    }
    String charset = type.getParameter("charset");
    return parameters.size() == 1
        && charset != null
        && unquoted(charset).toLowerCase(Locale.ROOT).equals("utf-8");
  }

  private static String unquoted(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
        ? value.substring(1, value.length() - 1)
        : value;
  }

  /** Accept as MVC's negotiation would answer with plain {@code application/json}. */
  private static boolean takesJson(@Nullable String accept) {
    if (accept == null) {
      return true;
    }
    String value = accept.strip();
    return value.equals("*/*") || value.equalsIgnoreCase(MediaType.APPLICATION_JSON_VALUE);
  }

  private static boolean atMostOne(@Nullable Enumeration<String> values) {
    if (values == null || !values.hasMoreElements()) {
      return true;
    }
    values.nextElement();
    return !values.hasMoreElements();
  }

  /** As MVC's HttpEntityMethodProcessor writes a ResponseEntity: status, headers, JSON body. */
  private static void write(
      ResponseEntity<EmailAccepted> answer,
      SmartHttpMessageConverter<Object> writer,
      HttpServletResponse response)
      throws IOException {
    ServletServerHttpResponse output = new ServletServerHttpResponse(response);
    output.setStatusCode(answer.getStatusCode());
    output.getHeaders().putAll(answer.getHeaders());
    writer.write(answer.getBody(), ANSWER, MediaType.APPLICATION_JSON, output, null);
    output.flush();
  }

  /** As DispatcherServlet.processHandlerException, with the same resolvers. */
  private static void resolve(
      Wiring wired, HttpServletRequest request, HttpServletResponse response, Exception e)
      throws ServletException, IOException {
    request.removeAttribute(HandlerMapping.PRODUCIBLE_MEDIA_TYPES_ATTRIBUTE);
    try {
      response.setHeader(HttpHeaders.CONTENT_TYPE, null);
      response.setHeader(HttpHeaders.CONTENT_DISPOSITION, null);
      response.resetBuffer();
    } catch (IllegalStateException committed) {
      // The answer is on its way; the resolvers below can only log.
    }
    for (HandlerExceptionResolver resolver : wired.resolvers()) {
      ModelAndView resolved = resolver.resolveException(request, response, wired.handler(), e);
      if (resolved != null) {
        request.setAttribute(DispatcherServlet.EXCEPTION_ATTRIBUTE, e);
        return;
      }
    }
    if (e instanceof IOException io) {
      throw io;
    }
    if (e instanceof RuntimeException runtime) {
      throw runtime;
    }
    throw new ServletException(e);
  }

  private @Nullable Wiring wiring() {
    Wiring wired = wiring;
    if (wired != null || mvcOnly) {
      return wired;
    }
    EmailController send = controller.getIfAvailable();
    RequestMappingHandlerAdapter mvc = adapter.getIfAvailable();
    if (send == null || mvc == null) {
      return null;
    }
    SmartHttpMessageConverter<Object> reader = converter(mvc, true);
    SmartHttpMessageConverter<Object> writer = converter(mvc, false);
    if (reader == null || writer == null || hasBodyAdvice()) {
      mvcOnly = true;
      return null;
    }
    Method method;
    try {
      method =
          EmailController.class.getMethod(
              "send", ApiKey.class, SendEmailRequest.class, String.class);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("EmailController.send is not where it was", e);
    }
    wired =
        new Wiring(
            send,
            new HandlerMethod(send, method),
            reader,
            writer,
            resolvers.orderedStream().toList());
    wiring = wired;
    return wired;
  }

  /**
   * Whether a controller advice changes bodies as MVC reads or writes them: this path does not ask
   * it, so with one every send goes to MVC.
   */
  private boolean hasBodyAdvice() {
    return ControllerAdviceBean.findAnnotatedBeans(context).stream()
        .map(ControllerAdviceBean::getBeanType)
        .anyMatch(
            type ->
                type != null
                    && (RequestBodyAdvice.class.isAssignableFrom(type)
                        || ResponseBodyAdvice.class.isAssignableFrom(type)));
  }

  /**
   * The first of MVC's converters that reads the request (or writes the answer) as JSON, as MVC
   * picks it; null when that one is not a smart converter, and MVC then answers every send.
   */
  @SuppressWarnings("unchecked")
  private static @Nullable SmartHttpMessageConverter<Object> converter(
      RequestMappingHandlerAdapter mvc, boolean read) {
    MediaType json = MediaType.APPLICATION_JSON;
    for (HttpMessageConverter<?> converter : mvc.getMessageConverters()) {
      if (converter instanceof SmartHttpMessageConverter<?> smart) {
        if (read
            ? smart.canRead(REQUEST, json)
            : smart.canWrite(ANSWER, EmailAccepted.class, json)) {
          return (SmartHttpMessageConverter<Object>) smart;
        }
      } else if (read
          ? converter.canRead(SendEmailRequest.class, json)
          : converter.canWrite(EmailAccepted.class, json)) {
        return null; // the one MVC would pick, which this path does not drive
      }
    }
    return null;
  }

  /** The request's headers with the body already begun (its first byte pushed back). */
  private static final class Body implements HttpInputMessage {
    private final ServletServerHttpRequest request;
    private final InputStream body;

    Body(ServletServerHttpRequest request, InputStream body) {
      this.request = request;
      this.body = body;
    }

    @Override
    public HttpHeaders getHeaders() {
      return request.getHeaders();
    }

    @Override
    public InputStream getBody() {
      return body;
    }
  }
}
