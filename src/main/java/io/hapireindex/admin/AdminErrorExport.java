package io.hapireindex.admin;

import io.hapireindex.status.JobProgressStore;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Failed resources of a job, all of them: CSV for spreadsheets, NDJSON for scripts. */
final class AdminErrorExport {

	private AdminErrorExport() {}

	static void write(HttpServletResponse response, String jobId, List<JobProgressStore.JobError> errors, boolean csv)
			throws IOException {
		response.setStatus(200);
		response.setContentType(csv ? "text/csv;charset=utf-8" : "application/x-ndjson;charset=utf-8");
		response.setHeader("Content-Disposition",
				"attachment; filename=\"job-" + jobId + "-failed-resources." + (csv ? "csv" : "ndjson") + "\"");
		OutputStream out = response.getOutputStream();
		if (csv) {
			out.write("resource,message,time\r\n".getBytes(StandardCharsets.UTF_8));
		}
		for (JobProgressStore.JobError e : errors) {
			String line = csv
					? csvCell(e.resource()) + "," + csvCell(e.message()) + "," + csvCell(AdminJobView.iso(e.time())) + "\r\n"
					: AdminJson.MAPPER.writeValueAsString(AdminJobView.errorRow(e)) + "\n";
			out.write(line.getBytes(StandardCharsets.UTF_8));
		}
		out.flush();
	}

	/** Quoted, and a leading = + - @ defused so a spreadsheet never runs a message as a formula. */
	static String csvCell(String value) {
		if (value == null) {
			return "";
		}
		String v = value;
		if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
			v = "'" + v;
		}
		return "\"" + v.replace("\"", "\"\"") + "\"";
	}
}
