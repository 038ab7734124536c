package io.hapireindex.startup;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/** The ERROR events the module logs while it is open; closes by detaching itself. */
public final class ErrorLines implements AutoCloseable {

	private final Logger logger = (Logger) LoggerFactory.getLogger("io.hapireindex");
	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	public ErrorLines() {
		appender.start();
		logger.addAppender(appender);
	}

	public List<String> messages() {
		return appender.list.stream()
				.filter(e -> e.getLevel() == Level.ERROR)
				.map(ILoggingEvent::getFormattedMessage)
				.toList();
	}

	@Override
	public void close() {
		logger.detachAppender(appender);
	}
}
