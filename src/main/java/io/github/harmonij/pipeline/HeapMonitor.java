// SPDX-License-Identifier: MIT
package io.github.harmonij.pipeline;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Peak heap of one run, two ways:
 * <ul>
 * <li><b>raw</b>: the sum of the heap pools' peak occupancy since {@link #start()} (an upper
 * bound of the heap ever used at once; it counts garbage not yet collected, so it follows the
 * collector's pace and the maximum heap more than the data);</li>
 * <li><b>live</b>: the largest heap occupancy right after a garbage collection, from the
 * collectors' notifications. Not exactly the live data: a young collection (most of G1's) keeps
 * only what is reachable in the young generation but does not trace the old one, whose garbage
 * and unused region tails still count until an old-generation cycle reclaims them; and a peak
 * that rises and falls between two collections is missed. So it counts everything the heap
 * holds at each collection, reachable or not yet reclaimed: at the peak of a voxelwise
 * harmonisation, 10 to 15 % above the reachable data (which a class histogram, collecting fully
 * first, gives). Zero if no collection happened or the JVM does not send the notifications.</li>
 * </ul>
 * JVM-wide: a second run in the same JVM at the same time would be counted too. Thread-safe.
 */
public final class HeapMonitor implements AutoCloseable {

	private final AtomicLong liveBytes = new AtomicLong();

	private final List<NotificationEmitter> emitters = new ArrayList<>();

	private final NotificationListener listener = this::onGc;

	private HeapMonitor() {}

	/** Resets the heap pools' peaks and starts listening to the collectors. */
	public static HeapMonitor start() {
		final HeapMonitor m = new HeapMonitor();
		for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
			if (pool.getType() == MemoryType.HEAP) pool.resetPeakUsage();
		for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
			if (gc instanceof NotificationEmitter) {
				((NotificationEmitter) gc).addNotificationListener(m.listener, null, null);
				m.emitters.add((NotificationEmitter) gc);
			}
		return m;
	}

	/** @return the raw peak in MB (one decimal) */
	public double rawPeakMb() {
		long peak = 0;
		for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
			if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
		return mb(peak);
	}

	/** @return the live peak in MB (one decimal) */
	public double livePeakMb() {
		return mb(liveBytes.get());
	}

	@Override
	public void close() {
		for (final NotificationEmitter e : emitters)
			try {
				e.removeNotificationListener(listener);
			}
			catch (final Exception ex) {
				// Already gone.
			}
	}

	// -- Helper methods --

	private void onGc(final Notification n, final Object handback) {
		if (!"com.sun.management.gc.notification".equals(n.getType()) || !(n
			.getUserData() instanceof CompositeData)) return;
		// GarbageCollectionNotificationInfo's layout, read as open data: gcInfo.memoryUsageAfterGc,
		// a map of pool name to MemoryUsage (no com.sun.management import needed).
		try {
			final CompositeData info = (CompositeData) ((CompositeData) n.getUserData()).get(
				"gcInfo");
			final Object after = info.get("memoryUsageAfterGc");
			long used = 0;
			for (final Object row : ((javax.management.openmbean.TabularData) after).values()) {
				final CompositeData r = (CompositeData) row;
				final String pool = (String) r.get("key");
				if (!isHeap(pool)) continue;
				used += MemoryUsage.from((CompositeData) r.get("value")).getUsed();
			}
			liveBytes.accumulateAndGet(used, Math::max);
		}
		catch (final RuntimeException e) {
			// Another JVM's layout: no live figure.
		}
	}

	private static boolean isHeap(final String pool) {
		for (final MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans())
			if (p.getName().equals(pool)) return p.getType() == MemoryType.HEAP;
		return false;
	}

	private static double mb(final long bytes) {
		return Math.round(bytes / 1048576.0 * 10) / 10.0;
	}
}
