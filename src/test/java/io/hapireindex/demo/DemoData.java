package io.hapireindex.demo;

import org.springframework.context.ConfigurableApplicationContext;

final class DemoData {
	private DemoData() {}

	static void load(ConfigurableApplicationContext context, String base) {
		System.out.println("Demo server up at " + base);
	}
}
